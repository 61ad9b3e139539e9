"""Options and helpers shared by the commands."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from caseload.cli.render import screen
from caseload.domain import codes
from caseload.i18n import LANGS, default_lang, translator
from caseload.operate.refusals import CannotPlace, Conflict, NotFound, Refused
from caseload.register.lookup import last_recorded_day, recorded_from
from caseload.store.database import (
    ENV_BUSY,
    ENV_URL,
    busy_timeout_ms,
    connect,
    is_busy,
    reader,
    resolve_url,
)
from caseload.store.migrate import is_current

# piped or captured output (CI logs, `make demo`, `| grep`) gets room for every column
console: Console = screen.console()
errors: Console = screen.error_console()


def help_text(msgid: str, /, **params: Any) -> str:
    """``msgid`` in the language of ``CASELOAD_LANG``: for the ``--help`` texts of commands,
    options and arguments. Help is built when the command line is imported, before any
    ``--lang`` is parsed, so it follows the environment (as gettext programs follow LANG).
    Extraction finds the msgid as the first argument (``-k help_text``)."""
    return translator(default_lang()).gettext(msgid, **params)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help=help_text(
            "SQLite file or database URL (default: ${variable} or caseload.sqlite)",
            variable=ENV_URL,
        ),
    ),
]
LangOption = Annotated[
    str,
    typer.Option("--lang", metavar="LANG", help=help_text("Language of the output: en or da")),
]
HostOption = Annotated[
    str, typer.Option("--host", metavar="HOST", help=help_text("Address to listen on"))
]
PortOption = Annotated[
    int,
    typer.Option("--port", metavar="PORT", min=1, max=65535, help=help_text("Port to listen on")),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DAY", help=help_text("Day to report on, YYYY-MM-DD (default: today)")
    ),
]

EXIT_INPUT = 2
"""Exit code for bad input (a rejected file, a bad option)."""
EXIT_STATE = 3
"""Exit code when the database is not in a usable state (missing, not migrated)."""
EXIT_CONFLICT = 4
"""Exit code when someone else changed the case first (optimistic concurrency)."""
EXIT_BUSY = 5
"""Exit code when another write held the register past the wait (try again)."""


def login() -> str | None:
    """The login name, when the system knows one (who wrote or corrected something)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def lang_of(value: str | None) -> str:
    lang = value or default_lang()
    if lang not in LANGS:
        _ = translator(default_lang()).gettext
        errors.print(
            f"[red]{escape(_('--lang must be one of: {langs}', langs=', '.join(LANGS)))}[/red]"
        )
        raise typer.Exit(EXIT_INPUT)
    return lang


def parse_day(value: str, option: str, lang: str) -> date:
    """The one date parser of the command line: ``YYYY-MM-DD``, else a clear line naming the
    option and exit code 2."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        said = translator(lang).gettext(
            "{option}: not a date (YYYY-MM-DD): {value}", option=option, value=repr(value)
        )
        raise fail(said) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        said = translator(lang).gettext(
            "{option}: {value} is outside the days a register covers ({first} to {last})",
            option=option,
            value=value,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        raise fail(said)
    return day


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""The days a command takes (a year 1 would overflow the arithmetic on days before it)."""


def period_of(first: str, last: str, lang: str) -> tuple[date, date]:
    """The days ``--from`` and ``--to`` name, refused when ``--to`` is before ``--from``."""
    start, end = parse_day(first, "--from", lang), parse_day(last, "--to", lang)
    if end < start:
        raise fail(translator(lang).gettext("--to must not be before --from"))
    return start, end


def optional_day(value: str | None, option: str, lang: str) -> date | None:
    return None if value is None else parse_day(value, option, lang)


def day_of(value: str | None, lang: str, option: str = "--as-of") -> date:
    """The day an option names, today when it is not given."""
    return date.today() if value is None else parse_day(value, option, lang)


BEYOND_DAYS = 31
"""How far past the register's last recorded day a day may lie with only a note (a live
register's last import may be a few days old); further is refused."""


def within_register(engine: Engine, day: date, lang: str, option: str = "--as-of") -> None:
    """Refuse a day to read the register on that lies more than ``BEYOND_DAYS`` after its last
    recorded day (one line naming both days, exit code 2); a day up to that far gets a note
    on stderr. An empty register has no last day: nothing is said."""
    with reader(engine).connect() as conn:
        last = None if recorded_from(conn, day) else last_recorded_day(conn)
    if last is None or day <= last:
        return
    _ = translator(lang).gettext
    if (day - last).days > BEYOND_DAYS:
        said = _(
            "{day} is after the register's last recorded day, {last}: give {option} "
            "{last} or earlier",
            day=day.isoformat(),
            last=last.isoformat(),
            option=option,
        )
        errors.print(said, markup=False, style="red", soft_wrap=True)  # one line, however wide
        raise typer.Exit(EXIT_INPUT)
    errors.print(
        _(
            "Note: {day} is after the register's last recorded day, {last} (its latest "
            "import may be a few days old)",
            day=day.isoformat(),
            last=last.isoformat(),
        ),
        markup=False,
        style="yellow",
        soft_wrap=True,
    )


def fail(message: str) -> typer.Exit:
    """Print a user's mistake as one red line (no markup read from it); raise the result."""
    errors.print(message, markup=False, style="red")
    return typer.Exit(EXIT_INPUT)


def busy(lang: str) -> typer.Exit:
    """Another writer held the register past the wait: one line; raise the result."""
    said = translator(lang).gettext(
        "the register is busy (another write is running); try again, or let commands "
        "wait longer with {name}=SECONDS (now {seconds})",
        name=ENV_BUSY,
        seconds=busy_timeout_ms() / 1000,
    )
    errors.print(said, markup=False, style="red", soft_wrap=True)
    return typer.Exit(EXIT_BUSY)


def open_register(db: str | None, lang: str) -> Engine:
    """An engine on a migrated register, or a clear message and exit code 3."""
    _ = translator(lang).gettext
    url = resolve_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        path = url.removeprefix("sqlite:///")
        errors.print(
            _("No register at {path}: run `caseload init` first.", path=path),
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_STATE)
    engine = connect(db)
    try:
        current = is_current(reader(engine))
    except OperationalError as error:
        if is_busy(error):
            raise busy(lang) from None
        raise cannot_open(engine, error, lang) from None
    if not current:
        errors.print(
            _("The database is not initialised or is out of date: run `caseload init` first."),
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_STATE)
    return engine


def cannot_open(engine: Engine, error: OperationalError, lang: str) -> typer.Exit:
    """The server is down, refuses us, or the database does not exist: the driver's first
    line says which, printed as one line with the fix (the URL without its password);
    raise the result (exit code 3)."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    errors.print(
        translator(lang).gettext(
            "Cannot open the database {url}: {reason}. Start the server, or create the "
            "database with `caseload init --create`.",
            url=engine.url.render_as_string(hide_password=True),
            reason=reason,
        ),
        style="red",
        markup=False,
        soft_wrap=True,
    )
    return typer.Exit(EXIT_STATE)


def role_of(role: str, lang: str) -> str:
    """A role code given as an option, or exit code 2 naming the roles there are."""
    if role not in codes.ROLES:
        roles = ", ".join(codes.ROLES)
        raise fail(translator(lang).gettext("--role must be one of: {roles}", roles=roles))
    return role


@contextmanager
def refusals(lang: str) -> Iterator[None]:
    """Refusals as one clear line in the reader's language and exit code 2, a conflicting
    edit exit code 4; the transaction was rolled back, so nothing was written. A clash with
    a stored row is said without the statement or its values (they may name a citizen)."""
    _ = translator(lang).gettext
    try:
        yield
    except (Refused, NotFound, CannotPlace) as error:
        errors.print(_("Refused: {why}", why=error.message(lang)), style="red", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except Conflict as error:
        errors.print(_("Conflict: {why}", why=error.message(lang)), style="red", markup=False)
        raise typer.Exit(EXIT_CONFLICT) from None
    except IntegrityError:
        stored = _(
            "the change clashes with a row already stored (a duplicate or a missing "
            "reference); nothing was saved"
        )
        errors.print(_("Refused: {why}", why=stored), style="red", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
