"""Files a command writes for the user (--json, --csv, --plot, --errors, --out): one clear
line instead of a traceback when the path cannot take them, and row-level data kept to its
owner.

- a folder where a file is meant, a parent that cannot be made, a full disk, no permission:
  ``CannotWrite`` naming the path and the reason (the command line prints it, exit code 2);
- a missing parent folder is made; a file is written whole or not at all (a temporary
  file beside it, then renamed over the target);
- files holding row-level data (``private``, the default) are readable by their owner only
  (0600), and the folders made for them too (0700);
- an existing file is replaced only when it is this kind of output already — the same CSV
  header, JSON of the same shape (the same keys), a figure or page caseload made — so a
  command re-run replaces its own earlier file, but never silently an unrelated one
  (``--force`` allows it: ``forcing(True)`` for the command's run).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from caseload.i18n import Message, Said

STDOUT = Path("-")
MADE_BY = "caseload"
"""What a figure (``<!-- caseload -->``) or a page (``<meta name="generator">``) says of
who made it; an existing file saying so may be replaced."""
_FORCE: ContextVar[bool] = ContextVar("force", default=False)


@contextlib.contextmanager
def forcing(force: bool) -> Iterator[None]:
    """While a command runs: whether ``--force`` lets it replace any existing file."""
    token = _FORCE.set(force)
    try:
        yield
    finally:
        _FORCE.reset(token)


def _shape(value: Any) -> Any:
    """A JSON value's shape: its keys (and the keys of a list's first object)."""
    if isinstance(value, dict):
        return ("object", sorted(value))
    if isinstance(value, list):
        first = value[0] if value else None
        return ("list", sorted(first) if isinstance(first, dict) else None)
    return (type(value).__name__,)


def _ours(existing: Path, text: str) -> bool:
    """Whether ``existing`` is this kind of output already (see the module's words)."""
    try:
        old = existing.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    suffix = existing.suffix.lower()
    if suffix in (".svg", ".html", ".htm"):
        return MADE_BY in old[:4000] and MADE_BY in text[:4000]
    if suffix == ".json":
        try:
            before, after = json.loads(old), json.loads(text)
        except ValueError:
            return False
        return bool(_shape(before) == _shape(after))
    if suffix in (".csv", ".txt"):
        return old.split("\n", 1)[0].strip() == text.split("\n", 1)[0].strip()
    return False


class CannotWrite(Said, OSError):
    """A file the user asked for could not be written; nothing was left half-written."""


def unrelated(target: Path, columns: tuple[str, ...]) -> CannotWrite | None:
    """The refusal for a table file another program writes itself (a .csv or .parquet with
    ``columns``), when ``target`` exists and holds something else and ``--force`` is off."""
    if not target.is_file() or _FORCE.get():
        return None
    try:
        if target.suffix.lower() == ".parquet":
            import polars as pl

            found = set(pl.read_parquet_schema(target))
        else:
            found = set(target.read_text(encoding="utf-8").split("\n", 1)[0].split(","))
    except (OSError, UnicodeDecodeError, ValueError):
        found = set()
    if set(columns) <= {c.strip() for c in found}:
        return None
    return CannotWrite(
        Message(
            "{path} exists and is not this command's earlier output: give another name, "
            "or --force to replace it",
            {"path": str(target)},
        )
    )


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _made(folder: Path, private: bool) -> None:
    """``folder`` and every missing folder above it (each the owner's only, if private)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for level in reversed(missing):
        level.mkdir(mode=0o700 if private else 0o777)


def _failed(target: Path, error: OSError) -> CannotWrite:
    return CannotWrite(
        Message("cannot write {path}: {reason}", {"path": str(target), "reason": _reason(error)})
    )


def not_a_folder(*targets: Path | None) -> None:
    """Refuse, before a command changes anything, a file to write that is a folder (the
    same words ``save`` would say after the change)."""
    for target in targets:
        if target is not None and target != STDOUT and target.is_dir():
            raise CannotWrite(
                Message(
                    "{path} is a folder: give a file name for it to write", {"path": str(target)}
                )
            )


def save(text: str, target: Path, private: bool = True) -> None:
    """``text`` (UTF-8) into ``target``, or onto standard output for ``-``. A regular file
    is replaced whole (a temporary file beside it, renamed over it); anything else the
    system offers as a file (a device, a pipe) is written as it is."""
    if target == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = target.resolve() if target.is_symlink() else target
    if target.is_dir():
        raise CannotWrite(
            Message("{path} is a folder: give a file name for it to write", {"path": str(target)})
        )
    if target.is_file() and not _FORCE.get() and not _ours(target, text):
        raise CannotWrite(
            Message(
                "{path} exists and is not this command's earlier output: give another name, "
                "or --force to replace it",
                {"path": str(target)},
            )
        )
    if target.exists() and not target.is_file():
        try:
            with target.open("w", encoding="utf-8", newline="") as out:
                out.write(text)
        except OSError as error:
            raise _failed(target, error) from None
        return
    try:
        _made(target.parent, private)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise _failed(target, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o600 if private else 0o644)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _failed(target, error) from None
