"""Case notes: one line for a note written or edited, a table of a case's notes (kinds as
words, dates in the reader's locale, the text as written: never read as markup)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from caseload.domain.labels import label
from caseload.i18n import translator
from caseload.operate.notes import Note, Written


def written(console: Console, result: Written, lang: str) -> None:
    """The note's id (the one caseload gave), its version, and the case version the next
    edit should carry."""
    tr = translator(lang)
    if result.note_version == 1:
        line = tr.gettext(
            "{citizen}: {kind} {note} written; case version {version}",
            citizen=result.citizen,
            kind=label(result.kind, lang),
            note=result.note,
            version=result.version,
        )
    else:
        line = tr.gettext(
            "{citizen}: {kind} {note} edited (its version {edition}); case version {version}",
            citizen=result.citizen,
            kind=label(result.kind, lang),
            note=result.note,
            edition=result.note_version,
            version=result.version,
        )
    console.print(line, markup=False, highlight=False)


def table(found: Sequence[Note], title: str, lang: str) -> Table:
    """The current version of each note, the one written or edited last first, and how many
    earlier versions each keeps."""
    tr = translator(lang)
    _ = tr.gettext
    shown = Table(title=title, title_justify="left")
    for heading in (
        _("Note id"),
        _("Kind"),
        _("Due"),
        _("Text"),
        _("Written"),
        _("By"),
        _("Edits"),
    ):
        shown.add_column(heading)
    for note in found:
        shown.add_row(
            note.code,
            label(note.kind, lang),
            tr.date(note.due),
            Text(note.body),
            tr.date(note.written_at),
            Text(note.written_by),
            tr.count(len(note.history)),
        )
    return shown


def listed(console: Console, citizen: str, found: Sequence[Note], lang: str) -> None:
    """A case's notes as a table, or one line saying there are none."""
    _ = translator(lang).gettext
    if not found:
        console.print(
            _("{citizen}: no notes on the case", citizen=citizen), markup=False, highlight=False
        )
        return
    console.print(table(found, _("Notes on the case of {citizen}", citizen=citizen), lang))
