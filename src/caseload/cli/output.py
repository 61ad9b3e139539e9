"""The machine-readable outputs every report command offers: ``--json`` and ``--csv``.

``--json FILE`` writes the command's whole result (``-``: standard output); ``--csv FILE``
the table a one-table command shows; ``--csv FOLDER`` one ``NAME.csv`` per table for a
command that shows several. With ``-`` the tables are not printed, so standard output holds
only the JSON or CSV. What is written is in ``cli/render/machine.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from caseload.cli.common import fail, help_text
from caseload.cli.render.machine import STDOUT, to_stdout
from caseload.i18n import translator

JsonOption = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="FILE",
        help=help_text(
            "Also write the result as JSON to FILE (UTF-8, ISO dates, codes; - for standard output)"
        ),
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help=help_text("Replace an existing file even if it is not this command's earlier output"),
    ),
]
CsvFileOption = Annotated[
    Path | None,
    typer.Option(
        "--csv",
        metavar="FILE",
        help=help_text(
            "Also write the table as CSV to FILE (UTF-8, a header line; - for standard output)"
        ),
    ),
]
CsvFolderOption = Annotated[
    Path | None,
    typer.Option(
        "--csv",
        metavar="FOLDER",
        help=help_text("Also write each table as NAME.csv into FOLDER (UTF-8, a header line)"),
    ),
]


def shown_on(console: Console, lang: str, *targets: Path | None) -> Console:
    """Where the tables go: ``console``, or nowhere when JSON or CSV goes to standard output
    (which then holds only that; one of them at most)."""
    if sum(t == STDOUT for t in targets) > 1:
        raise fail(translator(lang).gettext("only one of --json and --csv can be -"))
    return Console(quiet=True) if to_stdout(*targets) else console


def folder_of(target: Path | None, lang: str) -> Path | None:
    """``--csv FOLDER`` as given; ``-`` refused (several tables need a folder)."""
    if target == STDOUT:
        said = translator(lang).gettext(
            "--csv: this command writes several tables; give a folder, not -"
        )
        raise fail(said)
    return target


def progress_bar(shown: Console, transient: bool = True) -> Progress:
    """A long command's progress bar on its console (none when --json - takes standard
    output): what it is doing, the bar, done of all, time taken."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=shown,
        transient=transient,
    )
