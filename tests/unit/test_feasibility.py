"""The monitor's plan: which batches can still finish in their window, and why not."""

from __future__ import annotations

from batchyard.engine.feasibility import plan, throughput
from batchyard.records import ProgressMarks, RunningBatch, Usage

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


def test_the_models_throughput_is_the_sum_of_its_batches_rates() -> None:
    running = [batch("a", 1000, 100, done=300), batch("b", 1000, 100, done=100)]
    marks = {
        "a": ProgressMarks(NOW - 10, 100, NOW - 5, 200),
        "b": ProgressMarks(NOW - 10, 0, NOW - 5, 50),
    }
    assert throughput(running, marks, NOW) == {"m": 30.0}


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
    mine = batch("mine", 300, 40, project="a")
    theirs = batch("theirs", 300, 40, project="b")
    # Alone, 300 lines at 10/s take 30 s; sharing 1:3 with b, a gets 2.5/s: 120 s.
    plans = plan([mine, theirs], {"m": 10.0}, {"a": 1, "b": 3}, NOW)
    assert plans["mine"].eta == NOW + 120 and plans["mine"].reason is not None
    assert plans["theirs"].eta == NOW + 40 and plans["theirs"].reason is None


def test_no_measured_throughput_means_no_plan() -> None:
    assert plan([batch("a", 100, 10)], {}, {}, NOW) == {}
