"""An upload into an import table, for the API's route and the admin's page alike: the
file copied to a temporary folder in chunks under the server's size limit (the client's
file name is never a path: only its suffix picks the reader), imported every row or none,
and audited either way; the problems name the table's file, not the server's path."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path as FilePath
from typing import BinaryIO

from fastapi import HTTPException, Request, UploadFile

from caseload.access import audit
from caseload.i18n import Message, translator
from caseload.operate.refusals import NotFound
from caseload.register import catalogue
from caseload.register.importer import ImportResult, import_file
from caseload.register.problems import ImportRejected
from caseload.serve import db
from caseload.serve.guard import Caller, settings_of

SUFFIXES = (".csv", ".xlsx", ".parquet")
CHUNK = 1024 * 1024


def known_table(table: str) -> str:
    """The import table's name; NotFound (404) for any other."""
    if table not in catalogue.BY_NAME:
        raise NotFound(Message("no import table {table}", {"table": table}))
    return table


def suffix_of(filename: str | None, lang: str) -> str:
    """The reader's suffix from the client's file name (only its last suffix; never a path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    suffix = FilePath(name).suffix.lower() if name not in ("", ".", "..") else ""
    if suffix not in SUFFIXES:
        raise HTTPException(
            415,
            translator(lang).gettext("the file must be {suffixes}", suffixes=", ".join(SUFFIXES)),
        )
    return suffix


def spool(source: BinaryIO, target: FilePath, limit: int, lang: str) -> int:
    """Copy ``source`` to ``target`` in chunks; 413 (and nothing kept) past ``limit`` bytes."""
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    413,
                    translator(lang).gettext(
                        "the file is larger than {limit} bytes; nothing was imported",
                        limit=translator(lang).count(limit),
                    ),
                )
            out.write(chunk)
    return size


def receive(
    request: Request,
    caller: Caller,
    table: str,
    file: UploadFile,
    encoding: str | None,
    sheet: str | None,
) -> ImportResult:
    known_table(table)
    suffix = suffix_of(file.filename, caller.lang)
    folder = FilePath(tempfile.mkdtemp(prefix="caseload-upload-"))
    try:
        path = folder / f"upload{suffix}"
        size = spool(file.file, path, settings_of(request).upload_limit, caller.lang)
        try:
            result = import_file(
                db.engine(request), table, path, encoding=encoding or None, sheet=sheet or None
            )
        except ImportRejected as error:
            with db.writing(request) as conn:
                audit.record(
                    conn,
                    caller.event(
                        "register.import", None, 422, table=table, problems=len(error.problems)
                    ),
                )
            shown = f"{table}{suffix}"  # not the server's temporary path
            raise ImportRejected(shown, [replace(p, file=shown) for p in error.problems]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with db.writing(request) as conn:
        audit.record(
            conn,
            caller.event(
                "register.import",
                None,
                201,
                table=table,
                bytes=size,
                inserted=result.inserted,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
        )
    return result
