"""`batchyard run`: one batch file to completion, here, resumable."""

from __future__ import annotations

import logging
import os
import shlex
import sys
import time
import tomllib
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from batchyard.cli.options import BadConfig, config_option, console, load_cli_settings
from batchyard.config import ConfigError
from batchyard.records import BatchRecord
from batchyard.wording import counted


@click.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the output file goes (default: INPUT.output.jsonl).",
)
@click.option(
    "-e",
    "--errors",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the error file goes (default: INPUT.errors.jsonl).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".batchyard"),
    show_default=True,
    help="Where run state lives; keep it to resume after a crash.",
)
@config_option
def run(
    input_file: Path, output: Path | None, errors: Path | None, data_dir: Path, config: Path | None
) -> None:
    """Run INPUT_FILE (OpenAI batch JSONL) to completion, without a server.

    \b
    Writes OpenAI-shaped output and error files. Interrupted? Run the same
    command again: it continues the same batch instead of starting over.
      batchyard run examples/kb/requests.jsonl -o vectors.jsonl
    """
    from batchyard.runtime.run import Interrupted, local_limits, run_file

    logging.getLogger().setLevel(logging.WARNING)
    settings = load_cli_settings(config, data_dir)
    settings.limits = local_limits(settings.limits, _limits_set_in(config))
    stem = input_file.with_suffix("")
    output = output or stem.with_name(stem.name + ".output.jsonl")
    errors = errors or stem.with_name(stem.name + ".errors.jsonl")
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("validating", total=None, rate="")
    pace = Pace()
    resumed_run: list[bool] = []

    def on_start(batch: BatchRecord, resumed: bool) -> None:
        resumed_run.append(resumed)
        word = "Resuming" if resumed else "Started"
        console.print(f"{word} {batch.id} for {input_file}")

    def on_interrupt(finishing: int, unanswered: int, hard: bool) -> None:
        if hard:
            console.print("[yellow]Stopping now[/]; the journal keeps every line done.")
            return
        waiting = unanswered - finishing  # a local model's queued lines are not waited for
        kept = (
            f"{counted(finishing, 'line')} in flight finish and are kept"
            if finishing
            else "every line done is kept"
        )
        console.print(
            f"[yellow]Stopping[/]: {kept}; {counted(waiting, 'line')} of the running shards "
            "wait for the resume. Ctrl-C again to stop now."
        )

    def on_progress(batch: BatchRecord) -> None:
        done = batch.completed + batch.failed
        progress.update(
            task,
            description=batch.status.value,
            completed=done,
            total=batch.total or None,
            rate=pace.see(done),
        )

    try:
        with progress:
            outcome = run_file(
                settings,
                input_file,
                output=output,
                errors=errors,
                on_start=on_start,
                on_progress=on_progress,
                on_interrupt=on_interrupt,
            )
    except Interrupted as stopped:
        done = stopped.batch.completed + stopped.batch.failed
        console.print(
            f"Interrupted: {done:,} of {stopped.batch.total:,} lines are done and kept. "
            f"Run the same command to resume: {_again()}"
        )
        # Durable already; exit without joining a thread still loading a model.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    except KeyboardInterrupt:  # before the engine started: nothing ran yet
        console.print(f"Interrupted. Run the same command to resume: {_again()}")
        sys.exit(130)
    except ConfigError as exc:  # a model's options, a missing extra, an unset api_key_env
        raise BadConfig(str(exc)) from None
    batch = outcome.batch
    if batch.status.value == "failed":
        problems = batch.errors or []
        console.print(
            f"[red]The input file failed validation[/] ({counted(len(problems), 'error')}):"
        )
        for error in problems[:20]:
            where = f"line {error.get('line')}: " if error.get("line") else ""
            # Markup off: messages quote config keys such as [limits], and client text.
            console.print(f"  {where}{error.get('code')}: {error.get('message')}", markup=False)
        if len(problems) > 20:
            console.print(
                f"  and {len(problems) - 20:,} more (`batchyard validate` lists them all)"
            )
        sys.exit(1)
    usage = batch.usage
    console.print(
        f"[bold]{batch.status.value}[/] {batch.total:,} lines in {outcome.seconds:,.1f}s: "
        f"{batch.completed:,} succeeded, {batch.failed:,} failed; "
        f"tokens in {usage.input_tokens:,}, out {usage.output_tokens:,}"
    )
    if resumed_run and resumed_run[0]:
        console.print(f"  this run: {counted(pace.ran, 'line')}, {pace.text() or 'none run'}")
    if outcome.output:
        console.print(f"  output: {outcome.output}")
    if outcome.errors:
        console.print(f"  errors: {outcome.errors}")


class Pace:
    """This run's lines per second, for the bar and the summary. It counts only lines
    answered in this run (a resumed batch's earlier lines are not), from the poll before
    the first of them (so the model's loading is not counted either)."""

    def __init__(self) -> None:
        self.before: int | None = None  # lines done when this run began
        self.done = 0
        self._last = (0, 0.0)  # (done, when) at the latest poll with no new line yet
        self._since: tuple[int, float] | None = None
        self._now = 0.0

    @property
    def ran(self) -> int:
        return 0 if self.before is None else self.done - self.before

    def see(self, done: int) -> str:
        """Note a poll's count; the rate to show."""
        self._now = time.monotonic()
        if self.before is None:
            self.before = done
        if self._since is None and done > self.before:
            self._since = self._last
        elif self._since is None:
            self._last = (done, self._now)
        self.done = done
        return self.text()

    def text(self) -> str:
        if self._since is None:
            return ""
        seconds = self._now - self._since[1]
        lines = self.done - self._since[0]
        return f"{lines / seconds:,.0f} lines/s" if seconds > 0 else ""


def _again() -> str:
    """The command that resumes: the one typed (a wrapper script can name itself)."""
    return os.environ.get("BATCHYARD_RESUME_COMMAND") or "batchyard " + shlex.join(sys.argv[1:])


def _limits_set_in(config: Path | None) -> set[str]:
    """The `[limits]` keys the config file names (it was read and checked already)."""
    if config is None:
        return set()
    return set(tomllib.loads(config.read_text(encoding="utf-8")).get("limits", {}))
