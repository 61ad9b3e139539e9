"""Entry point: `caseload --help`."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.logging import RichHandler

from caseload.cli import (
    caseflow,
    caseloads,
    casework,
    demo,
    evaluate,
    meetings,
    randomise,
    register,
)
from caseload.cli.common import errors

app = typer.Typer(
    name="caseload",
    help="Capped caseloads, close contact and randomised proof for job centres.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what happens (counts and timings)")
    ] = False,
) -> None:
    """Capped caseloads, close contact and randomised proof for job centres."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
    )


app.command("init")(register.init)
app.command("import")(register.import_)
app.command("export")(register.export_)
app.command("tables")(register.tables)
app.command("status")(caseloads.status_)
app.command("assign")(caseloads.assign)
app.command("rebalance")(caseloads.rebalance)
app.command("contact")(casework.contact)
app.command("meeting")(casework.meeting)
app.command("overdue")(meetings.overdue)
app.command("timeliness")(meetings.timeliness)
app.command("caseflow")(caseflow.caseflow)
app.command("sparring")(caseflow.sparring)
app.command("demo")(demo.demo)
app.command("randomise")(randomise.randomise)
app.command("evaluate")(evaluate.evaluate)
app.command("analyze")(evaluate.analyze)
app.command("analyze-counts")(evaluate.analyze_counts)

if __name__ == "__main__":
    app()
