"""The access rules, in one table: which roles may do what. Every API route names one
action here (``serve.guard``), and the access-matrix test reads this table to expect a
status for every role on every route, so a route without a rule fails the tests.

Scope is judged after the role: a caseworker reads the citizens they hold a responsibility
for on the day (a cover included), a leader their department(s); anything outside is "not
found", so that nobody learns whether a citizen exists."""

from __future__ import annotations

from dataclasses import dataclass

from caseload.i18n import N_

CASEWORKER, LEADER, ANALYST, ADMIN = "caseworker", "leader", "analyst", "admin"
REVIEWER = "reviewer"
"""Reads only the cases a case review assigned to it, blinded (review/), and scores them."""
EVERYONE = frozenset({CASEWORKER, LEADER, ANALYST, ADMIN, REVIEWER})
ROLE_NAMES = {
    CASEWORKER: N_("caseworker"),
    LEADER: N_("leader"),
    ANALYST: N_("analyst"),
    ADMIN: N_("admin"),
    REVIEWER: N_("reviewer"),
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    what: str
    """What the action is, for people (marked for translation)."""


RULES: dict[str, Rule] = {
    "self": Rule(EVERYONE, N_("see and manage one's own account")),
    "citizens.list": Rule(frozenset({CASEWORKER, LEADER}), N_("list one's own citizens")),
    "case.read": Rule(frozenset({CASEWORKER, LEADER}), N_("read a citizen's case")),
    "case.write": Rule(
        frozenset({CASEWORKER, LEADER}), N_("register meetings, contacts and notes on a case")
    ),
    "sparring.read": Rule(frozenset({CASEWORKER, LEADER}), N_("read a sparring sheet")),
    "department.read": Rule(
        frozenset({LEADER, ANALYST}), N_("read a department's caseloads, timeliness and case flow")
    ),
    "plan.make": Rule(frozenset({LEADER}), N_("plan a rebalance or assignment")),
    "plan.apply": Rule(frozenset({LEADER}), N_("apply a rebalance or assignment")),
    "trial.read": Rule(frozenset({ANALYST}), N_("read the trial's evaluation")),
    "workload.plan": Rule(
        frozenset({LEADER, ANALYST}), N_("plan caseloads, staffing and policies")
    ),
    "register.import": Rule(frozenset({ADMIN}), N_("import files into the register")),
    "register.export": Rule(frozenset({ADMIN}), N_("export the register")),
    "register.manage": Rule(frozenset({ADMIN}), N_("manage departments, teams, caps and rules")),
    "accounts.manage": Rule(frozenset({ADMIN}), N_("manage accounts and API tokens")),
    "audit.read": Rule(frozenset({ADMIN}), N_("search and export the audit trail")),
    "review.score": Rule(
        frozenset({REVIEWER}), N_("read the cases assigned for review, blinded, and score them")
    ),
    "review.results": Rule(
        frozenset({LEADER, ANALYST}), N_("read a case review's design, progress and results")
    ),
}


def allows(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is allowed to nobody."""
    rule = RULES.get(action)
    return rule is not None and role in rule.roles


def roles_for(action: str) -> tuple[str, ...]:
    rule = RULES.get(action)
    return tuple(sorted(rule.roles)) if rule else ()
