"""Entry point: `caseload --help`."""

from __future__ import annotations

import typer

from caseload.cli import demo, register

app = typer.Typer(
    name="caseload",
    help="Capped caseloads, close contact and randomised proof for job centres.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(register.init)
app.command("import")(register.import_)
app.command("export")(register.export_)
app.command("tables")(register.tables)
app.command("status")(register.status_)
app.command("demo")(demo.demo)

if __name__ == "__main__":
    app()
