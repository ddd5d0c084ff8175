"""The monitor's plan: which batches can still finish in their window, and why not."""

from __future__ import annotations

from batchyard.engine.feasibility import Plan, Throughput, plan
from batchyard.records import RunningBatch, Usage

NOW = 1_000_000.0


def batch(
    name: str, lines: int, due_in: float, *, project: str = "p", seq: int = 0, done: int = 0
) -> RunningBatch:
    return RunningBatch(
        id=name,
        project=project,
        model="m",
        metadata=None,
        total=lines,
        completed=done,
        failed=0,
        usage=Usage(),
        expires_at=int(NOW + due_in),
        seq=seq,
    )


def test_throughput_counts_the_lines_of_batches_that_ended_between_two_looks() -> None:
    meter = Throughput(window_seconds=10)
    assert meter.observe([batch("long", 1000, 100), batch("small", 20, 100)], {}, NOW) == {}
    # 2 s on: long did 40 lines; small ended with its 20 lines, and a new one did 10.
    running = [batch("long", 1000, 100, done=40), batch("new", 20, 100, done=10)]
    assert meter.gone(running) == ["small"]
    assert meter.observe(running, {"small": 20}, NOW + 2) == {"m": (40 + 20 + 10) / 2}


def test_throughput_covers_one_to_two_windows() -> None:
    meter = Throughput(window_seconds=2)
    for t in range(6):  # 10 lines/s for 5 s, then nothing for 3 s
        meter.observe([batch("a", 1000, 100, done=10 * t)], {}, NOW + t)
    for t in range(6, 9):
        rates = meter.observe([batch("a", 1000, 100, done=50)], {}, NOW + t)
    assert rates == {}  # nothing finished in the last window and more


def test_a_huge_batch_that_would_make_the_rest_late_goes_behind_them() -> None:
    # 10 lines/s. EDF would run the huge one first (earliest deadline) and make all late.
    huge = batch("huge", 5000, 100, seq=1)
    small = [batch(f"s{i}", 100, 200, seq=2 + i) for i in range(5)]
    plans = plan([huge, *small], {"m": 10.0}, {}, NOW)
    assert all(plans[s.id].reason is None for s in small)
    assert plans["huge"].reason is not None and "expires" in plans["huge"].reason
    assert plans["huge"].eta == NOW + 5500 / 10
    assert max(plans[s.id].eta for s in small) == NOW + 500 / 10


def test_parts_of_one_job_with_one_deadline_finish_whole_in_order() -> None:
    # Room for three of five equal parts: the last two sent are the ones at risk.
    parts = [batch(f"part{i}", 100, 35, seq=i) for i in range(5)]
    plans = plan(parts, {"m": 10.0}, {}, NOW)
    assert [plans[p.id].reason is None for p in parts] == [True, True, True, False, False]


def test_a_project_gets_its_weighted_share_of_the_throughput() -> None:
    mine = batch("mine", 100, 100, project="a")
    theirs = batch("theirs", 300, 100, project="b")
    # Sharing 1:3 at 10 lines/s: a runs at 2.5/s, b at 7.5/s; both end at 40 s.
    plans = plan([mine, theirs], {"m": 10.0}, {"a": 1, "b": 3}, NOW)
    assert plans["mine"] == plans["theirs"] == Plan(eta=NOW + 40, reason=None)


def test_a_project_that_runs_out_of_work_gives_its_share_to_the_others() -> None:
    short = batch("short", 100, 1000, project="a")
    long = batch("long", 500, 1000, project="b")
    # 5/s each until a's 100 lines end at 20 s; then b alone: 400 more lines at 10/s.
    plans = plan([short, long], {"m": 10.0}, {}, NOW)
    assert plans["short"].eta == NOW + 20 and plans["long"].eta == NOW + 60


def test_a_batch_given_up_on_yields_its_projects_share_to_other_projects() -> None:
    # At 10 lines/s, a's huge batch cannot make its window whatever happens. If a kept
    # its half, b's 300 lines would take 60 s and miss their 40 s window; given up on,
    # the huge one yields, and b's batches finish in 30 s.
    huge = batch("huge", 2000, 40, project="a", seq=1)
    theirs = [batch(f"b{i}", 100, 40, project="b", seq=2 + i) for i in range(3)]
    plans = plan([huge, *theirs], {"m": 10.0}, {}, NOW)
    assert [(plans[b.id].eta, plans[b.id].reason) for b in theirs] == [
        (NOW + 10 * (i + 1), None) for i in range(3)
    ]
    assert plans["huge"].eta == NOW + 30 + 200 and plans["huge"].reason is not None
    assert "after it expires" in plans["huge"].reason and "m's measured 10" in plans["huge"].reason


def test_a_weighted_project_overloaded_alone_gives_up_its_own_batches_not_anothers() -> None:
    # Fair share holds between the batches that can finish: b's tight batch fits its
    # half of the model, so it is kept even though a's two would fit if b yielded.
    mine = [batch(f"a{i}", 100, 25, project="a", seq=i) for i in range(2)]
    theirs = batch("b0", 100, 25, project="b", seq=5)
    plans = plan([*mine, theirs], {"m": 10.0}, {}, NOW)
    assert plans["b0"].reason is None and plans["b0"].eta == NOW + 20
    assert [plans[b.id].reason is None for b in mine] == [True, False]


def test_no_measured_throughput_means_no_plan() -> None:
    assert plan([batch("a", 100, 10)], {}, {}, NOW) == {}


def test_a_batch_late_on_its_share_borrows_what_the_others_can_spare() -> None:
    # Half of 10 lines/s, a's 150 lines take 30 s: late for a 20 s window. b's batch is
    # not due for 100 s, so a runs first (urgent) and both make it.
    tight = batch("tight", 150, 20, project="a")
    loose = batch("loose", 300, 100, project="b")
    plans = plan([tight, loose], {"m": 10.0}, {}, NOW)
    assert plans["tight"] == Plan(eta=NOW + 15, reason=None, urgent=True)
    assert plans["loose"] == Plan(eta=NOW + 45, reason=None, urgent=False)
