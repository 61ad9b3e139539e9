"""docs/import-format.md, made from the table specs so it cannot drift from the code.

Regenerate with ``python -m caseload.register.docs > docs/import-format.md``; a test checks
the committed file is current.
"""

from __future__ import annotations

from caseload.register import catalogue
from caseload.register.spec import Field, TableSpec

_KIND = {
    "text": "text",
    "int": "whole number",
    "float": "number (decimal point or comma)",
    "date": "date: YYYY-MM-DD or DD-MM-YYYY (also DD.MM.YYYY)",
    "bool": "true/false, 1/0, yes/no, ja/nej",
    "code": "code",
    "cpr": "CPR number, DDMMYY-SSSS (dash optional)",
    "ref": "code of a row in",
}

HEADER = """# Import format

Generated from `src/caseload/register/tables.py` and `caseflow_tables.py` by
`python -m caseload.register.docs`; do not edit by hand.

Every table is one file: CSV (comma-, semicolon- or tab-separated, first row the column
names), Excel `.xlsx` (the first sheet, or the one `--sheet NAME` names; first row the
column names) or Parquet. A CSV file is
read as UTF-8 (with or without a byte-order mark), as UTF-16 when its byte-order mark says
so (Excel's "Unicode text"), and otherwise as Windows-1252 (Danish Excel's "CSV
(semikolon-separeret)"), which the import then says in one line; `--encoding` chooses.
A byte the encoding cannot read stops the import with its line number. A workbook whose
first sheet is empty is refused naming the sheets that hold data; a text longer than the
register's column (64 characters for ids and districts, 200 for names) or a whole number
beyond 2,147,483,647 is refused with its row and column.
A CSV export writes a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return behind an apostrophe (`'=SUM(A1)`), so that a spreadsheet shows it as text instead
of running it as a formula; a CSV import removes exactly that one apostrophe (a text that
itself begins with apostrophes before such a character keeps them: the export adds one
more). Export → import stays a no-op.
Column names are case-insensitive; empty cells are empty values; surrounding spaces
are ignored. Load the tables in the order below: a table may only name rows of tables
above it (or, for meetings, other meetings of the same file).

`caseload import TABLE FILE` checks every row before writing anything. All problems
are reported at once with the row number (the header is row 1), the column and the
reason; if there is any, nothing is written. Each table has a **natural key**: a row
whose key is already in the register updates that row, so importing the same file
twice changes nothing, and a corrected file can simply be imported again. Columns you
leave out of a file are not touched in rows that already exist.

CPR numbers belong only in the `cpr` column of `citizens`, which is stored as a keyed hash.
Anything that looks like a CPR number (ten digits, a hyphen allowed after the sixth, the
first six a real birth date) in any other column of any table, ids and free text alike, is
refused with its row and column and never repeated in a message; a header that looks like
one (a file without its header row) is refused the same way.

Dates are periods with an inclusive first and last day; an empty end date means
the period is still running. Example files for every table are in `examples/`.
"""


def _describe(f: Field) -> str:
    kind = _KIND[f.kind]
    if f.kind == "ref":
        kind = f"{kind} `{f.ref}`"
    if f.kind == "code":
        kind = "one of " + ", ".join(f"`{c}`" for c in f.codes)
    extra = f" Default `{f.default}`." if f.default is not None else ""
    private = " Never shown in messages." if f.sensitive else ""
    return f"{f.doc}. {kind}.{extra}{private}"


def _first_paragraph(doc: str | None) -> str:
    """A rule's docstring up to its first blank line, on one line, without the full stop."""
    first = (doc or "").strip().split("\n\n")[0]
    text = " ".join(first.split()).rstrip(".")
    return text[:1].lower() + text[1:]


def table_section(spec: TableSpec) -> str:
    lines = [
        f"## `{spec.name}`",
        "",
        spec.doc,
        "",
        f"Natural key: {', '.join(f'`{k}`' for k in spec.key)}. Example: "
        f"`examples/{spec.name}.csv`.",
        "",
        "| column | required | meaning |",
        "|---|---|---|",
    ]
    for f in spec.fields:
        lines.append(f"| `{f.name}` | {'yes' if f.required else ''} | {_describe(f)} |")
    checks = [f"`{end}` may not be before `{start}`" for start, end in spec.periods]
    checks += [
        _first_paragraph(rule.__doc__)
        for rule in (*spec.rules, *spec.stored_rules)
        if (rule.__doc__ or "").strip()
    ]
    if checks:
        lines += ["", "Also checked: " + "; ".join(checks) + "."]
    return "\n".join(lines)


def import_format() -> str:
    return HEADER + "\n" + "\n\n".join(table_section(s) for s in catalogue.SPECS) + "\n"


if __name__ == "__main__":
    print(import_format(), end="")
