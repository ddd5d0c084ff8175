"""`batchyard run`: one batch file to completion, here, resumable."""

from __future__ import annotations

import logging
import sys
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
    before: list[int] = []  # lines done by earlier runs: not this run's rate

    def on_start(batch: BatchRecord, resumed: bool) -> None:
        word = "Resuming" if resumed else "Started"
        console.print(f"{word} {batch.id} for {input_file}")

    def on_interrupt(left: int, hard: bool) -> None:
        if hard:
            console.print("[yellow]Stopping now[/]; the journal keeps every line done.")
        else:
            console.print(
                f"[yellow]Stopping[/]: the lines in flight finish and are kept "
                f"({left:,} lines of the running shards not done yet). Ctrl-C again to stop now."
            )

    def on_progress(batch: BatchRecord) -> None:
        done = batch.completed + batch.failed
        if not before:
            before.append(done)
        elapsed = progress.tasks[0].elapsed or 0.0
        ran = done - before[0]
        rate = f"{ran / elapsed:,.0f} lines/s" if elapsed > 0 and ran else ""
        progress.update(
            task,
            description=batch.status.value,
            completed=done,
            total=batch.total or None,
            rate=rate,
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
            f"Run the same command to resume: batchyard run {' '.join(sys.argv[2:])}"
        )
        sys.exit(130)
    except KeyboardInterrupt:  # before the engine started: nothing ran yet
        console.print(f"Interrupted. Run the same command to resume: batchyard run {input_file}")
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
    if outcome.output:
        console.print(f"  output: {outcome.output}")
    if outcome.errors:
        console.print(f"  errors: {outcome.errors}")


def _limits_set_in(config: Path | None) -> set[str]:
    """The `[limits]` keys the config file names (it was read and checked already)."""
    if config is None:
        return set()
    return set(tomllib.loads(config.read_text(encoding="utf-8")).get("limits", {}))
