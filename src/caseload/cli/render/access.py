"""What ``caseload users`` and ``caseload audit`` print."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from caseload.access.accounts import Account
from caseload.access.rules import ROLE_NAMES
from caseload.i18n import translator


def added(out: Console, account: Account, lang: str) -> None:
    t = translator(lang)
    out.print(
        t.gettext(
            "Account {name} added ({role}{staff}).",
            name=account.username,
            role=t.gettext(ROLE_NAMES[account.role]),
            staff=f", {account.staff}" if account.staff else "",
        ),
        markup=False,
    )


def accounts(out: Console, found: list[Account], lang: str) -> None:
    t = translator(lang)
    table = Table(title=t.gettext("Accounts"))
    for heading in (
        t.gettext("Username"),
        t.gettext("Name"),
        t.gettext("Role"),
        t.gettext("Staff code"),
        t.gettext("Departments"),
        t.gettext("Language"),
        t.gettext("Active"),
    ):
        table.add_column(heading)
    for a in found:
        table.add_row(
            a.username,
            a.display_name,
            t.gettext(ROLE_NAMES[a.role]),
            a.staff or "",
            ", ".join(a.departments),
            a.lang,
            t.gettext("yes") if a.active else t.gettext("no"),
        )
    out.print(table)


def token(out: Console, token_id: int, made: str, lang: str) -> None:
    t = translator(lang)
    out.print(
        t.gettext(
            "API token {id} (shown once: keep it in the other system's secret store):",
            id=token_id,
        ),
        markup=False,
    )
    out.print(made, markup=False, highlight=False, soft_wrap=True)


def events(out: Console, rows: list[dict[str, Any]], total: int, lang: str) -> None:
    t = translator(lang)
    table = Table(
        title=t.gettext(
            "Audit trail: {shown} of {total} events", shown=t.count(len(rows)), total=t.count(total)
        )
    )
    for heading in (
        t.gettext("When (UTC)"),
        t.gettext("Who"),
        t.gettext("Role"),
        t.gettext("Action"),
        t.gettext("Citizen"),
        t.gettext("Status"),
        t.gettext("Client"),
        t.gettext("Request"),
    ):
        table.add_column(heading)
    for r in rows:
        table.add_row(
            r["at"].isoformat(sep=" ", timespec="seconds"),
            r["username"] or "",
            t.gettext(ROLE_NAMES[r["role"]]) if r["role"] in ROLE_NAMES else "",
            r["action"],
            r["citizen"] or "",
            str(r["status"] or ""),
            r["client"] or "",
            r["request_id"],
        )
    out.print(table)


def demo_accounts(out: Console, made: list[Any], address: str, lang: str) -> None:
    """The demo's accounts with the passwords made for this run (shown this once)."""
    t = translator(lang)
    table = Table(
        title=t.gettext(
            "Sign in at {address} (the passwords are new each time and shown only now)",
            address=address,
        )
    )
    for heading in (
        t.gettext("Role"),
        t.gettext("Username"),
        t.gettext("Password"),
        t.gettext("Staff code"),
    ):
        table.add_column(heading)
    for a in made:
        table.add_row(t.gettext(ROLE_NAMES[a.role]), a.username, a.password, a.staff or "")
    out.print(table)
