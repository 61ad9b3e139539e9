"""Entry point: `caseload --help`."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.logging import RichHandler

from caseload.cli import demo, evaluate, operate, randomise, register
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
app.command("status")(register.status_)
app.command("assign")(operate.assign)
app.command("rebalance")(operate.rebalance)
app.command("contact")(operate.contact)
app.command("meeting")(operate.meeting)
app.command("overdue")(operate.overdue)
app.command("timeliness")(operate.timeliness)
app.command("caseflow")(operate.caseflow)
app.command("sparring")(operate.sparring)
app.command("demo")(demo.demo)
app.command("randomise")(randomise.randomise)
app.command("evaluate")(evaluate.evaluate)
app.command("analyze")(evaluate.analyze)
app.command("analyze-counts")(evaluate.analyze_counts)

if __name__ == "__main__":
    app()
