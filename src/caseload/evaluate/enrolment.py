"""Randomising the register's citizens into a trial, once, and later entrants by the same rule.

A run finds the citizens eligible on a day (an open kontanthjælp spell, and, when the
design names them, a primary contact in one of its departments and a target group
of its list), leaves everyone already assigned where they are, and assigns the rest with
the stored design. A run after the start date takes only *later entrants*: citizens who
were not eligible on the start date. Each assignment row holds arm, probability, stratum,
cluster, day, who ran it and when; nothing is ever reshuffled.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, func, insert, or_, select

from caseload.domain import codes
from caseload.domain.cpr import held_in
from caseload.domain.dates import whole_years
from caseload.evaluate.randomise import TRIAL, Design, DesignError, allocate
from caseload.i18n import Message
from caseload.register.contacts import with_primary_contact
from caseload.store import schema as s

STRATA = ("duration", "age", "origin", "sex", "department", "target_group", "district")
"""Baseline traits a run can block on (duration: kontanthjælp < 3 or ≥ 3 years)."""
CLUSTER_UNITS = ("caseworker", "team")
_UNIT_NAMES = {
    "citizen": Message("citizen"),
    "caseworker": Message("caseworker"),
    "team": Message("team"),
}
LONG_YEARS = codes.LONG_TERM_RECIPIENT_YEARS


@dataclass(frozen=True)
class Eligible:
    citizen_id: int
    code: str
    traits: dict[str, str]
    caseworker: str | None
    team: str | None


@dataclass(frozen=True)
class Run:
    trial: str
    design: Design
    day: date
    created: bool
    kept: int
    """Eligible citizens already assigned (left where they were)."""
    arms: dict[str, int]
    strata: dict[str, dict[str, int]]
    clusters: int
    dry_run: bool

    @property
    def assigned(self) -> int:
        return sum(self.arms.values())


def _age_band(birth: date, day: date) -> str:
    age = whole_years(birth, day)
    for upper, label in ((30, "<30"), (40, "30-39"), (50, "40-49")):
        if age < upper:
            return label
    return "50+"


def eligible(conn: Connection, design: Design, day: date) -> list[Eligible]:
    """Citizens eligible on ``day``: on kontanthjælp, in the design's departments/groups."""
    c, sp, p, d, t = s.citizen, s.benefit_spell, s.professional, s.department, s.team
    on_benefit = (
        select(sp.c.citizen_id)
        .where(
            sp.c.benefit == "kontanthjaelp",
            sp.c.start_date <= day,
            or_(sp.c.end_date.is_(None), sp.c.end_date >= day),
        )
        .distinct()
        .subquery()
    )
    query = select(
        c.c.id,
        c.c.code,
        c.c.birth_date,
        c.c.sex,
        c.c.origin,
        c.c.target_group,
        c.c.district,
        c.c.kontanthjaelp_since,
        p.c.code.label("caseworker"),
        t.c.code.label("team"),
        d.c.code.label("department"),
    ).join(on_benefit, on_benefit.c.citizen_id == c.c.id)
    query = with_primary_contact(query, c.c.id, day, team=True).order_by(c.c.code)
    departments = design.eligible.get("departments") or []
    groups = design.eligible.get("target_groups") or []
    if departments:
        query = query.where(d.c.code.in_(departments))
    if groups:
        query = query.where(c.c.target_group.in_(groups))
    out = []
    for row in conn.execute(query):
        duration = whole_years(row.kontanthjaelp_since, day) if row.kontanthjaelp_since else 0
        traits = {
            "duration": f"kh>={LONG_YEARS}y" if duration >= LONG_YEARS else f"kh<{LONG_YEARS}y",
            "age": _age_band(row.birth_date, day),
            "origin": row.origin,
            "sex": row.sex,
            "department": row.department or "-",
            "target_group": row.target_group,
            "district": row.district or "-",
        }
        out.append(Eligible(row.id, row.code, traits, row.caseworker, row.team))
    return out


def _stored(conn: Connection, code: str) -> tuple[int, Design, date] | None:
    row = conn.execute(
        select(s.trial.c.id, s.trial.c.scheme, s.trial.c.start_date).where(s.trial.c.code == code)
    ).first()
    if row is None:
        return None
    try:
        design = Design.from_text(row.scheme or "")
    except (ValueError, TypeError):
        raise DesignError(
            Message(
                "trial {code} has no design caseload can rerun (it was not randomised by "
                "`caseload randomise`); later entrants cannot be assigned by its rule",
                {"code": code},
            )
        ) from None
    return row.id, design, row.start_date


def _check_same(stored: Design, asked: Design | None, code: str) -> None:
    if asked is None:
        return
    fields = ("scheme", "probability", "seed", "strata", "block_size", "unit", "eligible")
    differ = [f for f in fields if getattr(stored, f) != getattr(asked, f)]
    if differ:
        raise DesignError(
            Message(
                "trial {code} was randomised with {design}{blocks}{within} (seed {seed}); "
                "a rerun keeps that design, but {fields} differ. Leave the design "
                "options out to assign later entrants by the stored rule.",
                {"code": code, **_described(stored), "fields": ", ".join(differ)},
            )
        )


def _described(design: Design) -> dict[str, Message | str | int]:
    """``design.describe()`` as message parameters (``design``, ``blocks``, ``within``,
    ``seed``), with the scheme named by its option value (``--scheme blocked``)."""
    blocked = design.scheme == "blocked"
    return {
        "design": Message(
            "{scheme} randomisation, P(trial) = {p:.4g}",
            {"scheme": design.scheme, "p": design.probability},
        ),
        "blocks": Message(", blocks of {size}", {"size": design.block_size}) if blocked else "",
        "within": (
            Message(" within {strata}", {"strata": " × ".join(design.strata)})
            if blocked and design.strata
            else ""
        ),
        "seed": design.seed,
    }


def _units(people: list[Eligible], design: Design) -> list[str | None]:
    if design.unit == "caseworker":
        return [e.caseworker for e in people]
    if design.unit == "team":
        return [e.team for e in people]
    return [e.code for e in people]


def _refuse_long_texts(code: str, name: str | None, by: str) -> None:
    """Texts longer than the register's columns, refused in words on both databases."""
    t, a = s.trial, s.trial_assignment
    for value, column, option in (
        (code, t.c.code, "--trial"),
        (name, t.c.name, "--name"),
        (by, a.c.assigned_by, "--by"),
    ):
        most = getattr(column.type, "length", None)
        if value is not None and most is not None and len(value) > most:
            raise DesignError(
                Message("{option} has at most {most} characters", {"option": option, "most": most})
            )
        refusal = held_in(value, option)
        if refusal is not None:
            raise DesignError(refusal)


def randomise(
    engine: Engine,
    code: str,
    design: Design | None,
    *,
    start: date | None = None,
    end: date | None = None,
    outcome_end: date | None = None,
    name: str | None = None,
    day: date | None = None,
    by: str = "caseload",
    dry_run: bool = False,
) -> Run:
    """Create the trial (first run) or assign its later entrants; one transaction."""
    _refuse_long_texts(code, name, by)
    if start is not None and end is not None and end < start:
        raise DesignError(
            Message(
                "--end {end} is before --start {start}",
                {"end": end.isoformat(), "start": start.isoformat()},
            )
        )
    if start is not None and outcome_end is not None and outcome_end < start:
        raise DesignError(
            Message(
                "--outcome-end {day} is before --start {start}",
                {"day": outcome_end.isoformat(), "start": start.isoformat()},
            )
        )
    with engine.begin() as conn:
        stored = _stored(conn, code)
        created = stored is None
        if stored is None:
            if design is None or start is None:
                raise DesignError(
                    Message(
                        "trial {code} does not exist: give its design and --start",
                        {"code": code},
                    )
                )
            _refuse_unknown_eligibility(conn, design)
            trial_id, start_date = None, start
        else:
            trial_id, stored_design, start_date = stored
            _check_same(stored_design, design, code)
            design = stored_design
        day = day or start_date
        if day < start_date:
            raise DesignError(
                Message(
                    "--as-of {day} is before the trial's start {start}",
                    {"day": day.isoformat(), "start": start_date.isoformat()},
                )
            )
        taken = _assigned(conn, trial_id)
        people = [e for e in eligible(conn, design, day) if e.citizen_id not in taken.citizens]
        if day > start_date:
            at_start = {e.citizen_id for e in eligible(conn, design, start_date)}
            kept = len(at_start & taken.citizens)
            people = [e for e in people if e.citizen_id not in at_start]
        else:
            kept = len(taken.citizens)
        if created and not people:
            raise DesignError(
                Message(
                    "no citizen is eligible on {day} (on kontanthjælp, in the departments and "
                    "target groups the design names): the trial was not created",
                    {"day": day.isoformat()},
                )
            )
        arms, strata_of, clusters = _draw(people, design, taken, day)
        if not dry_run:
            now = datetime.now(UTC).replace(tzinfo=None)
            if trial_id is None:
                trial_id = _create(conn, code, design, start_date, end, outcome_end, name, by, now)
            if people:
                _write(conn, trial_id, design, people, arms, strata_of, day, by, now)
    table: dict[str, dict[str, int]] = {}
    for arm, stratum in zip(arms, strata_of, strict=True):
        table.setdefault(stratum or "all", {}).setdefault(arm, 0)
        table[stratum or "all"][arm] += 1
    return Run(code, design, day, created, kept, dict(Counter(arms)), table, clusters, dry_run)


def _refuse_unknown_eligibility(conn: Connection, design: Design) -> None:
    """A department or target group the design names that the register does not know is a
    typing mistake, not an empty trial: refuse it before anything is stored."""
    named = design.eligible.get("departments") or []
    known = set(conn.execute(select(s.department.c.code)).scalars())
    unknown = [code for code in named if code not in known]
    if unknown:
        raise DesignError(
            Message(
                "no department {codes} in the register (departments: {known})",
                {"codes": ", ".join(unknown), "known": ", ".join(sorted(known))},
            )
        )
    groups = [g for g in design.eligible.get("target_groups") or [] if g not in codes.TARGET_GROUPS]
    if groups:
        raise DesignError(
            Message(
                "unknown target group {codes} (target groups: {known})",
                {"codes": ", ".join(groups), "known": ", ".join(codes.TARGET_GROUPS)},
            )
        )


def _write(
    conn: Connection,
    trial_id: int,
    design: Design,
    people: list[Eligible],
    arms: list[str],
    strata_of: list[str],
    day: date,
    by: str,
    now: datetime,
) -> None:
    """One assignment row per citizen drawn: arm, probability, stratum, cluster, who, when."""
    cluster_of = _units(people, design) if design.unit != "citizen" else [None] * len(people)
    conn.execute(
        insert(s.trial_assignment),
        [
            {
                "trial_id": trial_id,
                "citizen_id": e.citizen_id,
                "arm": arm,
                "probability": design.probability,
                "block": stratum or None,
                "cluster": cluster,
                "assigned_date": day,
                "assigned_by": by,
                "assigned_at": now,
            }
            for e, arm, stratum, cluster in zip(people, arms, strata_of, cluster_of, strict=True)
        ],
    )


@dataclass(frozen=True)
class _Taken:
    citizens: set[int]
    per_stratum: dict[str, int]
    cluster_arms: dict[str, str]


def _assigned(conn: Connection, trial_id: int | None) -> _Taken:
    if trial_id is None:
        return _Taken(set(), {}, {})
    a = s.trial_assignment
    rows = conn.execute(
        select(a.c.citizen_id, a.c.block, a.c.cluster, a.c.arm).where(a.c.trial_id == trial_id)
    ).all()
    clusters = {row.cluster: row.arm for row in rows if row.cluster}
    per_stratum: Counter[str] = Counter()
    if clusters:
        seen = {(row.block or "", row.cluster) for row in rows if row.cluster}
        per_stratum.update(block for block, _ in seen)
    else:
        per_stratum.update(row.block or "" for row in rows)
    return _Taken({row.citizen_id for row in rows}, dict(per_stratum), clusters)


def _label(traits: dict[str, str], strata: tuple[str, ...]) -> str:
    return " | ".join(f"{name}={traits[name]}" for name in strata)


def _draw(
    people: list[Eligible], design: Design, taken: _Taken, day: date
) -> tuple[list[str], list[str], int]:
    for name in design.strata:
        if name not in STRATA:
            raise DesignError(
                Message(
                    "cannot block on {name!r}; choose from {strata}",
                    {"name": name, "strata": ", ".join(STRATA)},
                )
            )
    labels = [_label(e.traits, design.strata) for e in people]
    if design.unit == "citizen":
        arms = allocate(
            [e.code for e in people],
            design,
            labels,
            batch=day.isoformat(),
            already=taken.per_stratum,
        )
        return arms, labels, 0
    units = _units(people, design)
    missing = sum(1 for u in units if u is None)
    if missing:
        raise DesignError(
            Message(
                "{missing} eligible citizen(s) have no {unit} on {day}: a cluster trial "
                "needs every citizen's primary contact",
                {"missing": missing, "unit": _UNIT_NAMES[design.unit], "day": day.isoformat()},
            )
        )
    cluster_label: dict[str, str] = {}
    for unit, label in zip(units, labels, strict=True):
        assert unit is not None
        if cluster_label.setdefault(unit, label) != label and design.strata:
            raise DesignError(
                Message(
                    "{kind} {unit} holds citizens of several strata; block clusters only "
                    "on traits shared by the whole cluster (department)",
                    {"kind": _UNIT_NAMES[design.unit], "unit": unit},
                )
            )
    new = sorted(u for u in cluster_label if u not in taken.cluster_arms)
    drawn = allocate(
        new,
        design,
        [cluster_label[u] for u in new],
        batch=day.isoformat(),
        already=taken.per_stratum,
    )
    arm_of = {**taken.cluster_arms, **dict(zip(new, drawn, strict=True))}
    return [arm_of[u] for u in units if u is not None], labels, len(cluster_label)


def _create(
    conn: Connection,
    code: str,
    design: Design,
    start: date,
    end: date | None,
    outcome_end: date | None,
    name: str | None,
    by: str,
    now: datetime,
) -> int:
    result = conn.execute(
        insert(s.trial).values(
            code=code,
            name=name or code,
            unit=design.unit,
            start_date=start,
            end_date=end,
            outcome_end_date=outcome_end,
            scheme=design.to_text(),
            seed=str(design.seed),
            created_by=by,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def counts(conn: Connection, code: str) -> dict[str, int]:
    """Assigned citizens per arm."""
    a, t = s.trial_assignment, s.trial
    rows = conn.execute(
        select(a.c.arm, func.count())
        .join(t, t.c.id == a.c.trial_id)
        .where(t.c.code == code)
        .group_by(a.c.arm)
    ).all()
    return {arm: int(n) for arm, n in rows}


def with_unit(design: Design, unit: str) -> Design:
    if unit not in ("citizen", *CLUSTER_UNITS):
        raise DesignError(
            Message("--unit must be citizen, caseworker or team, not {unit!r}", {"unit": unit})
        )
    return replace(design, unit=unit)


__all__ = ["TRIAL", "Run", "counts", "eligible", "randomise", "with_unit"]
