"""The command line's old message keys, mapped to their msgids (English).

Transitional: the commands in ``caseload.cli`` still call ``t(key, lang)`` until they use
the translator directly. This is no second table of text: the Danish is only in the
catalogue; a key here just names its English msgid.
"""

from __future__ import annotations

from typing import Any, Final

from caseload.i18n.message import N_
from caseload.i18n.translator import translator

KEYS: Final[dict[str, str]] = {
    "caseloads_on": N_("Caseloads on {day}"),
    "department": N_("Department"),
    "trial": N_("trial"),
    "role": N_("Role"),
    "staff": N_("Staff"),
    "professionals": N_("Professionals"),
    "citizens": N_("Citizens"),
    "cap": N_("Cap"),
    "load": N_("Weighted load"),
    "mean": N_("Mean"),
    "max": N_("Max"),
    "over_cap": N_("Over cap"),
    "none_over_cap": N_("No professional is over their cap."),
    "over_cap_list": N_("Over their cap"),
    "continuity": N_("Caseworker changes per citizen-year (year to {day})"),
    "changes": N_("Changes"),
    "citizen_years": N_("Citizen-years"),
    "per_citizen_year": N_("Per citizen-year"),
    "by_reason": N_("By reason"),
    "coordinating_caseworker": N_("coordinating caseworker"),
    "company_consultant": N_("company consultant"),
    "mentor": N_("mentor"),
    "imported": N_("{table}: {inserted} inserted, {updated} updated, {unchanged} unchanged"),
    "rejected": N_("{file}: {count} problem(s); nothing was imported"),
    "problem": N_("row {row}, column {column}: {reason}"),
    "more_problems": N_("… and {count} more (use --errors FILE for all)"),
    "randomise_done": N_(
        "{trial}: {assigned} citizen(s) assigned on {day}; {kept} already assigned kept their arm"
    ),
    "randomise_dry": N_(
        "{trial} (dry run, nothing stored): {assigned} citizen(s) would be assigned on "
        "{day}; {kept} already assigned"
    ),
    "clusters": N_("{n} cluster(s) by {unit}"),
    "stratum": N_("Stratum"),
    "trial_arm": N_("Trial"),
    "rebalance_title": N_("Rebalance {department} ({role}) on {day}: cap {cap}"),
    "assign_title": N_(
        "Assign contacts in {department} ({role}) on {day}: {citizens} citizen(s) waiting"
    ),
    "method": N_("Method"),
    "optimiser": N_("optimiser (min-cost flow)"),
    "greedy": N_("greedy baseline"),
    "caseworker_changes": N_("Caseworker changes"),
    "new_contacts": N_("New contacts"),
    "unplaced": N_("Not placed"),
    "load_sd": N_("Load share SD"),
    "seconds": N_("Seconds"),
    "load_before": N_("Before"),
    "load_after": N_("After"),
    "capacity": N_("Capacity"),
    "away": N_("Away"),
    "moves": N_("Moves ({n})"),
    "citizen": N_("Citizen"),
    "from": N_("From"),
    "to": N_("To"),
    "reason": N_("Reason"),
    "more_moves": N_("… and {n} more (use --json FILE for all)"),
    "dry_run": N_("Dry run: nothing was changed."),
    "applied": N_(
        "Applied: {ended} responsibilities ended, {started} started, in one transaction."
    ),
    "missing_fte": N_("That is {fte} more full-time professional(s) at cap {cap}."),
    "overdue_title": N_(
        "Job meetings on {day}: overdue and due within {within} days, per caseworker"
    ),
    "name": N_("Name"),
    "overdue": N_("Overdue"),
    "due_soon": N_("Due soon"),
    "outreach": N_("Outreach"),
    "due": N_("Due"),
    "last_held": N_("Last held"),
    "planned": N_("Planned"),
    "days_overdue": N_("Days over"),
    "missed": N_("Missed"),
    "caseworker_citizens": N_("{staff}: citizens overdue, due soon or flagged for outreach ({n})"),
    "timeliness_title": N_("Timeliness: job meetings held by their due date, {first} to {last}"),
    "group": N_("Group"),
    "held": N_("Held"),
    "timely": N_("On time"),
    "share": N_("Share"),
    "timely_share": N_("Held on time (%)"),
    "figure_written": N_("Figure: {path}"),
    "load_share_pct": N_("Weighted load / cap (%)"),
    "contact_changed": N_(
        "{citizen}: {staff} is now {role} from {day} ({reason}); case version {version}"
    ),
    "meeting_recorded": N_(
        "{citizen}: meeting {meeting} recorded ({status}, {day}); case version {version}"
    ),
    "refused": N_("Refused: {why}"),
    "conflict": N_("Conflict: {why}"),
    "caseflow_title": N_("Case flow {first} to {last}"),
    "cf_reports": N_("Supplier progress reports due"),
    "cf_medical": N_("Medical information requested (follow-up within 7 days of the answer)"),
    "cf_plans": N_("Preparatory plans and the rehabilitation team's recommendation"),
    "cf_placements": N_("Company placements"),
    "cf_paid_hours": N_("Ordinary paid hours"),
    "col_citizens_with_hours": N_("citizens with hours"),
    "col_hours": N_("hours"),
    "col_mean_hours_per_month": N_("hours a month (mean)"),
    "cf_passive": N_("Passive periods: days on a caseload without a course or placement"),
    "col_due": N_("due"),
    "col_received": N_("received"),
    "col_on_time": N_("on time"),
    "col_acted_on": N_("acted on"),
    "col_mean_days_to_act": N_("days to act (mean)"),
    "col_max_days_to_act": N_("days to act (max)"),
    "col_waiting_for_action": N_("awaiting action"),
    "col_sent": N_("sent"),
    "col_reminded": N_("reminded"),
    "col_answered": N_("answered"),
    "col_followed_up": N_("followed up"),
    "col_within_week": N_("within 7 days"),
    "col_mean_days_to_follow_up": N_("days to follow up (mean)"),
    "col_flagged": N_("flagged > 7 days"),
    "col_plans": N_("plans"),
    "col_completed": N_("completed"),
    "col_at_team": N_("at the team"),
    "col_not_yet": N_("not yet"),
    "col_resource_course": N_("resource course"),
    "col_flex_job": N_("flex job"),
    "col_disability_pension": N_("disability pension"),
    "col_postponed": N_("postponed"),
    "col_rejected": N_("rejected"),
    "col_other": N_("other"),
    "col_kind": N_("kind"),
    "col_placements": N_("placements"),
    "col_mean_weekly_hours": N_("weekly hours (mean)"),
    "col_past_reassessment": N_("past reassessment"),
    "col_citizens": N_("citizens"),
    "col_mean_passive_days": N_("passive days (mean)"),
    "col_mean_passive_share": N_("passive share (mean)"),
    "col_mean_gap_between_efforts": N_("days between efforts (mean)"),
    "col_department": N_("department"),
    "sparring_written": N_("Sparring sheet for {staff}: {n} citizen page(s) in {path}"),
    "cap_recorded": N_("Cap {cap} recorded from {day}."),
    "cannot_place": N_(
        "{n} citizen(s) cannot be placed within the caps: add staff or raise the cap."
    ),
    "control_arm": N_("Control"),
    "stored_conflict": N_(
        "the change clashes with a row already stored (a duplicate or a missing "
        "reference); nothing was saved"
    ),
    "roles_kept": N_(
        "{n} responsibility(ies) in other roles stayed with their professional: the new "
        "holder does not hold the role"
    ),
}


def t(key: str, lang: str, **values: Any) -> str:
    """The message named ``key`` in ``lang``, its ``{name}`` placeholders filled."""
    return translator(lang).gettext(KEYS[key], **values)
