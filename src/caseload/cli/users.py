"""``caseload users``: local accounts for the API and web app, and API tokens for other
systems. The first admin is made here (there is no default password anywhere): the
password is asked for twice without echo, or read from standard input with
``--password-stdin`` (for scripts)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from caseload.access import audit
from caseload.cli.common import (
    DbOption,
    LangOption,
    console,
    fail,
    help_text,
    lang_of,
    open_register,
)
from caseload.cli.render import access as render
from caseload.i18n import N_, translator

UsernameArgument = Annotated[
    str, typer.Argument(metavar="USERNAME", help=help_text("The account's username"))
]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help=help_text("Read the password from standard input (one line) instead of asking"),
    ),
]


def _password(from_stdin: bool, lang: str) -> str:
    _ = translator(lang).gettext
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


def add(
    username: UsernameArgument,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            metavar="ROLE",
            help=help_text("caseworker, leader, analyst, admin or reviewer"),
        ),
    ],
    staff: Annotated[
        str | None,
        typer.Option(
            "--staff",
            metavar="STAFF",
            help=help_text(
                "The professional's staff code (caseworkers and leaders; a reviewer who is one)"
            ),
        ),
    ] = None,
    department: Annotated[
        list[str] | None,
        typer.Option(
            "--department",
            metavar="CODE",
            help=help_text("A further department a leader reads (repeatable)"),
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAME", help=help_text("The name shown (default: the username)")
        ),
    ] = None,
    account_lang: Annotated[
        str,
        typer.Option(
            "--account-lang", metavar="LANG", help=help_text("The account's language: da or en")
        ),
    ] = "da",
    password_stdin: PasswordStdinOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Add an account (the password is asked for, never defaulted)."""
    from caseload.access import accounts
    from caseload.access.errors import AccountError

    language = lang_of(lang)
    engine = open_register(db, language)
    password = _password(password_stdin, language)
    try:
        with engine.begin() as conn:
            made = accounts.add_account(
                conn, username, role, password, name, staff, department or (), account_lang
            )
            audit.record(conn, _event("account.add", made.username))
    except AccountError as error:
        raise fail(error.text(language)) from None
    render.added(console, made, language)


def passwd(
    username: UsernameArgument,
    password_stdin: PasswordStdinOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Give an account a new password (its sessions end)."""
    from caseload.access import accounts
    from caseload.access.errors import AccountError

    language = lang_of(lang)
    engine = open_register(db, language)
    password = _password(password_stdin, language)
    try:
        with engine.begin() as conn:
            changed = accounts.set_password(conn, username, password)
            audit.record(conn, _event("account.password", changed.username))
    except AccountError as error:
        raise fail(error.text(language)) from None
    console.print(
        translator(language).gettext("New password set for {name}.", name=changed.username),
        markup=False,
    )


def disable(username: UsernameArgument, db: DbOption = None, lang: LangOption = "") -> None:
    """Disable an account: no more sign-ins, its sessions end, its tokens revoked."""
    from caseload.access import accounts
    from caseload.access.errors import AccountError

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with engine.begin() as conn:
            done = accounts.disable(conn, username)
            audit.record(conn, _event("account.disable", done.username))
    except AccountError as error:
        raise fail(error.text(language)) from None
    console.print(
        translator(language).gettext("{name} is disabled.", name=done.username), markup=False
    )


def enable(username: UsernameArgument, db: DbOption = None, lang: LangOption = "") -> None:
    """Enable a disabled account again (its old sessions stay ended)."""
    from caseload.access import accounts
    from caseload.access.errors import AccountError

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with engine.begin() as conn:
            done = accounts.enable(conn, username)
            audit.record(conn, _event("account.enable", done.username))
    except AccountError as error:
        raise fail(error.text(language)) from None
    console.print(
        translator(language).gettext("{name} may sign in again.", name=done.username),
        markup=False,
    )


def list_(db: DbOption = None, lang: LangOption = "") -> None:
    """List the accounts."""
    from caseload.access import accounts

    language = lang_of(lang)
    engine = open_register(db, language)
    with engine.connect() as conn:
        found = accounts.accounts(conn)
    render.accounts(console, found, language)


def token(
    username: UsernameArgument,
    name: Annotated[
        str,
        typer.Option(
            "--name", metavar="NAME", help=help_text("What the token is for (a system's name)")
        ),
    ],
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Make an API token for another system; it is shown once."""
    from caseload.access import accounts, tokens
    from caseload.access.errors import AccountError

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with engine.begin() as conn:
            holder = accounts.by_username(conn, username)
            if holder is None:
                raise fail(translator(language).gettext("No account {name}.", name=username))
            token_id, made = tokens.issue(conn, holder, name)
            audit.record(conn, _event("token.add", holder.username, token=token_id))
    except AccountError as error:
        raise fail(error.text(language)) from None
    render.token(console, token_id, made, language)


def _event(action: str, username: str, **detail: object) -> audit.Event:
    return audit.Event(
        action=action,
        request_id="cli",
        client="cli",
        detail={"account": username, "via": "command line", **detail},
    )


GROUP_HELP = N_("Accounts for the API and the web app, and API tokens for other systems.")
COMMANDS = (
    ("add", add, N_("Add an account (the password is asked for, never defaulted).")),
    ("passwd", passwd, N_("Give an account a new password (its sessions end).")),
    (
        "disable",
        disable,
        N_("Disable an account: no more sign-ins, its sessions end, its tokens revoked."),
    ),
    ("enable", enable, N_("Enable a disabled account again (its old sessions stay ended).")),
    ("list", list_, N_("List the accounts.")),
    ("token", token, N_("Make an API token for another system; it is shown once.")),
)
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
