"""Text encodings of the files job centres have: UTF-8 (with or without a byte-order mark),
Danish Excel's "CSV (semikolon-separeret)" in Windows-1252, and Excel's "Unicode text"
in UTF-16 with its byte-order mark. Decoding is strict: a byte that the encoding cannot
read stops the import; a replacement character (�) is never made up."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from caseload.i18n import Message
from caseload.register.problems import ImportRejected, Problem

FALLBACK = "cp1252"
"""What a file that is not valid UTF-8 is read as: Windows-1252, Danish Excel's CSV."""


@dataclass(frozen=True)
class Decoded:
    """A file's text as UTF-8 bytes, the encoding it was read as, and whether that was the
    fallback (the user is told in one line)."""

    data: bytes
    encoding: str
    fell_back: bool


def decode(path: Path, encoding: str | None = None) -> Decoded:
    """The file's text: in ``encoding`` when given, else by its byte-order mark, else UTF-8,
    else Windows-1252."""
    raw = path.read_bytes()
    if encoding is not None:
        return Decoded(_strict(path, raw, encoding).encode("utf-8"), encoding, False)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(_strict(path, raw, "utf-16").encode("utf-8"), "utf-16", False)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return Decoded(_strict(path, raw, FALLBACK).encode("utf-8"), FALLBACK, True)
    return Decoded(raw, "utf-8", False)


def _strict(path: Path, raw: bytes, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _refused(
            path, Message("unknown encoding {encoding!r}", {"encoding": encoding})
        ) from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _refused(
            path,
            Message(
                "line {line} cannot be read as {encoding}; give the file's encoding with "
                "--encoding (e.g. utf-8, cp1252, utf-16)",
                {"line": line, "encoding": encoding},
            ),
        ) from None


def _refused(path: Path, message: Message) -> ImportRejected:
    return ImportRejected(str(path), [Problem(0, "-", message, str(path))])
