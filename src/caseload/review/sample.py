"""A case review's sample: citizens' cases drawn at random within strata, with a seed, each
given to reviewers who are neither the citizen's caseworker nor their leader.

The design is stored with the draw (table ``review``): the day, the window a reviewer
reads, the strata, the seed, the reviewers per case and the rubric. Each stratum's citizens
(on the caseload on the day, in id order) are put in one seeded order; a sample of N per
stratum is the first N of that order, so the same design draws the same cases and a larger
N later extends the sample by the next ones, keeping every case and rating already made.

Reviewers are accounts with the role ``reviewer``. One who is also a professional in the
register (the account names one) never gets a citizen that professional has held a
responsibility for in the window, nor a citizen of a department a leader account of that
professional leads. Cases are dealt in their label order to the eligible reviewers with
the fewest cases so far (ties in a seeded order), so workloads stay even.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, insert, or_, select

from caseload.domain import codes
from caseload.domain.cpr import looks_like_cpr
from caseload.domain.dates import add_months
from caseload.i18n import Message, Said
from caseload.register.contacts import primary_contact
from caseload.review import rubric as rubrics
from caseload.store import schema as s

WINDOW_MONTHS = 12
"""How far back a reviewer reads by default: the year before the day."""


class ReviewError(Said, ValueError):
    """A sample that cannot be drawn or extended, in words."""


@dataclass(frozen=True)
class Design:
    code: str
    as_of: date
    by: str
    per_stratum: int
    seed: str
    reviewers: int = 2
    window_start: date | None = None
    """None: ``WINDOW_MONTHS`` before ``as_of``."""
    trial: str | None = None
    """With ``by="arm"``: the trial's code (None: the one trial running on the day)."""

    @property
    def start(self) -> date:
        return self.window_start or add_months(self.as_of, -WINDOW_MONTHS)


@dataclass(frozen=True)
class Drawn:
    review_id: int
    code: str
    strata: dict[str, tuple[int, int]]
    """Stratum → (cases drawn, citizens in it)."""
    added: int
    """Cases added by this draw (all of them the first time; the new ones on an extension)."""
    load: dict[str, int]
    """Reviewer (username) → cases assigned in the review."""
    extended: bool


def _rng(seed: str, stratum: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}\x1f{stratum}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _strata(conn: Connection, design: Design, trial_id: int | None) -> dict[str, list[int]]:
    """Stratum → the ids of the citizens on the caseload on the day, in id order."""
    primary = primary_contact(design.as_of)
    p, d = s.professional, s.department
    query = select(primary.c.citizen_id, p.c.code, d.c.code).join(
        p, p.c.id == primary.c.professional_id
    )
    query = query.join(d, d.c.id == p.c.department_id)
    arms: dict[int, str] = {}
    if design.by == "arm":
        a = s.trial_assignment
        arms = {
            int(cid): str(arm)
            for cid, arm in conn.execute(
                select(a.c.citizen_id, a.c.arm).where(
                    a.c.trial_id == trial_id, a.c.assigned_date <= design.as_of
                )
            )
        }
    strata: dict[str, list[int]] = defaultdict(list)
    for citizen_id, caseworker, department in conn.execute(query.order_by(primary.c.citizen_id)):
        if design.by == "arm":
            if int(citizen_id) not in arms:
                continue
            key = arms[int(citizen_id)]
        else:
            key = str(department if design.by == "department" else caseworker)
        strata[key].append(int(citizen_id))
    return dict(sorted(strata.items()))


def _trial_id(conn: Connection, design: Design) -> int | None:
    if design.by != "arm":
        return None
    t = s.trial
    query = select(t.c.id, t.c.code)
    if design.trial is not None:
        query = query.where(t.c.code == design.trial)
    else:
        query = query.where(
            t.c.start_date <= design.as_of,
            or_(t.c.end_date.is_(None), t.c.end_date >= design.as_of),
        )
    found = conn.execute(query).all()
    if design.trial is not None and not found:
        raise ReviewError(Message("no trial {code} in the register", {"code": design.trial}))
    if len(found) != 1:
        raise ReviewError(
            Message(
                "--by arm needs the trial: {count} trials run on {day}; give --trial CODE",
                {"count": len(found), "day": design.as_of.isoformat()},
            )
        )
    return int(found[0][0])


def _reviewers(conn: Connection, pool: Sequence[str] | None) -> list[tuple[int, str, int | None]]:
    """(account id, username, professional id) of the enabled reviewer accounts, or of those
    named in ``pool``."""
    a = s.account
    query = select(a.c.id, a.c.username, a.c.professional_id).where(
        a.c.role == "reviewer", a.c.disabled_at.is_(None)
    )
    found = [(int(i), str(u), None if p is None else int(p)) for i, u, p in conn.execute(query)]
    if pool is None:
        return sorted(found, key=lambda r: r[1])
    by_name = {r[1]: r for r in found}
    unknown = [name for name in pool if name not in by_name]
    if unknown:
        raise ReviewError(
            Message(
                "not an enabled reviewer account: {names}", {"names": ", ".join(sorted(unknown))}
            )
        )
    return sorted((by_name[name] for name in set(pool)), key=lambda r: r[1])


def _excluded(
    conn: Connection,
    reviewers: list[tuple[int, str, int | None]],
    citizens: list[int],
    start: date,
    day: date,
) -> dict[int, set[int]]:
    """Account id → the citizens it may not review: held by its professional in the window,
    or in a department a leader account of that professional leads (on the day)."""
    people: dict[int, list[int]] = defaultdict(list)  # professional → their reviewer accounts
    for account, _, professional in reviewers:
        if professional is not None:
            people[professional].append(account)
    out: dict[int, set[int]] = {r[0]: set() for r in reviewers}
    if not people or not citizens:
        return out
    r = s.responsibility
    held = select(r.c.professional_id, r.c.citizen_id).where(
        r.c.professional_id.in_(list(people)),
        r.c.start_date <= day,
        or_(r.c.end_date.is_(None), r.c.end_date >= start),
    )
    for professional, citizen in conn.execute(held):
        for account in people[int(professional)]:
            out[account].add(int(citizen))
    a, ad = s.account, s.account_department
    led = select(a.c.professional_id, ad.c.department_id).join(ad, ad.c.account_id == a.c.id)
    led = led.where(a.c.role == "leader", a.c.professional_id.in_(list(people)))
    departments: dict[int, set[int]] = defaultdict(set)
    for professional, department in conn.execute(led):
        departments[int(department)].update(people[int(professional)])
    if departments:
        primary = primary_contact(day)
        p = s.professional
        query = (
            select(primary.c.citizen_id, p.c.department_id)
            .join(p, p.c.id == primary.c.professional_id)
            .where(p.c.department_id.in_(list(departments)))
        )
        for citizen, department in conn.execute(query):
            for account in departments[int(department)]:
                out[account].add(int(citizen))
    return out


def _stored(conn: Connection, code: str) -> Any:
    """The review's row, locked until the transaction ends (PostgreSQL: FOR UPDATE), so two
    extensions of one review run one after the other; SQLite's writers take the database's
    lock when they begin."""
    query = select(s.review).where(s.review.c.code == code)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def _same_design(row: Any, design: Design, trial_id: int | None) -> None:
    """An extension keeps the design but N: anything else would not be the same sample."""
    stored = {
        "--as-of": (row.as_of, design.as_of),
        "--from": (row.window_start, design.start),
        "--by": (row.stratify_by, design.by),
        "--seed": (row.seed, design.seed),
        "--reviewers": (row.reviewers_per_case, design.reviewers),
        "--trial": (row.trial_id, trial_id),
    }
    for option, (was, now) in stored.items():
        if was != now:
            raise ReviewError(
                Message(
                    "review {code} was drawn with another {option}; a review is extended "
                    "with its own design and a larger --per-stratum, or drawn anew under "
                    "another --code",
                    {"code": design.code, "option": option},
                )
            )
    if design.per_stratum < row.per_stratum:
        raise ReviewError(
            Message(
                "review {code} already has {n} per stratum: a sample is extended, never cut",
                {"code": design.code, "n": row.per_stratum},
            )
        )


def draw(
    conn: Connection,
    design: Design,
    rubric: rubrics.Rubric | None = None,
    pool: Sequence[str] | None = None,
    created_by: str | None = None,
) -> Drawn:
    """Draw (or extend) review ``design.code`` in ``conn``'s transaction."""
    if design.by not in codes.REVIEW_STRATA:
        raise ReviewError(
            Message(
                "--by must be one of {values}, not {value}",
                {"values": ", ".join(codes.REVIEW_STRATA), "value": design.by},
            )
        )
    if design.per_stratum < 1 or not 1 <= design.reviewers <= 5:
        raise ReviewError(Message("--per-stratum must be 1 or more and --reviewers 1 to 5"))
    if design.start > design.as_of:
        raise ReviewError(Message("--from must be on or before --as-of"))
    if not design.code.strip():
        raise ReviewError(Message("a review needs a code (--code)"))
    if looks_like_cpr(design.code):
        raise ReviewError(
            Message("--code holds what looks like a CPR number, which is never a review's code")
        )
    trial_id = _trial_id(conn, design)
    if conn.dialect.name == "postgresql":
        # two first draws of one code: the second waits here, then finds the first's row
        conn.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"caseload-review:{design.code}")))
        )
    row = _stored(conn, design.code)
    if row is None:
        chosen = rubric or rubrics.default()
        inserted = conn.execute(
            insert(s.review).values(
                code=design.code,
                as_of=design.as_of,
                window_start=design.start,
                stratify_by=design.by,
                trial_id=trial_id,
                per_stratum=design.per_stratum,
                seed=design.seed,
                reviewers_per_case=design.reviewers,
                rubric=json.dumps(rubrics.to_json(chosen), ensure_ascii=False),
                created_by=created_by,
                created_at=datetime.now().replace(microsecond=0),
            )
        )
        review_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    else:
        _same_design(row, design, trial_id)
        review_id = row.id
        conn.execute(
            s.review.update()
            .where(s.review.c.id == review_id)
            .values(per_stratum=design.per_stratum)
        )
    strata = _strata(conn, design, trial_id)
    if not strata:
        raise ReviewError(
            Message(
                "no citizen to review: none is on a caseload on {day}"
                + (" in the trial's arms" if design.by == "arm" else ""),
                {"day": design.as_of.isoformat()},
            )
        )
    rc = s.review_case
    had = {
        int(c): (str(st), int(k))
        for c, st, k in conn.execute(
            select(rc.c.citizen_id, rc.c.stratum, rc.c.draw).where(rc.c.review_id == review_id)
        )
    }
    new: list[tuple[int, str, int]] = []
    counts: dict[str, tuple[int, int]] = {}
    for stratum, citizens in strata.items():
        order = _rng(design.seed, stratum).permutation(len(citizens))
        chosen_ids = [(citizens[i], k) for k, i in enumerate(order[: design.per_stratum])]
        new += [(cid, stratum, k) for cid, k in chosen_ids if cid not in had]
        counts[stratum] = (len(chosen_ids), len(citizens))
    # labels in a seeded order across strata: the label says nothing of the stratum
    labelled = sorted(new, key=lambda c: (c[2], c[1], c[0]))
    shuffle = _rng(design.seed, "\x00labels").permutation(len(labelled))
    first = len(had) + 1
    rows = [
        {
            "review_id": review_id,
            "citizen_id": labelled[i][0],
            "stratum": labelled[i][1],
            "draw": labelled[i][2],
            "label": f"{design.code}-{first + k:03d}",
        }
        for k, i in enumerate(shuffle)
    ]
    if rows:
        conn.execute(insert(rc), rows)
    load = _assign(conn, review_id, design, pool)
    return Drawn(int(review_id), design.code, counts, len(rows), load, row is not None)


def _assign(
    conn: Connection, review_id: int, design: Design, pool: Sequence[str] | None
) -> dict[str, int]:
    """Give every case of the review without its reviewers its missing ones."""
    rc, ra = s.review_case, s.review_assignment
    cases = conn.execute(
        select(rc.c.id, rc.c.citizen_id, rc.c.label)
        .where(rc.c.review_id == review_id)
        .order_by(rc.c.label)
    ).all()
    held: dict[int, list[int]] = defaultdict(list)
    load: dict[int, int] = defaultdict(int)
    for case_id, account in conn.execute(
        select(ra.c.review_case_id, ra.c.account_id)
        .join(rc, rc.c.id == ra.c.review_case_id)
        .where(rc.c.review_id == review_id)
        .order_by(ra.c.slot)
    ):
        held[int(case_id)].append(int(account))
        load[int(account)] += 1
    missing = [c for c in cases if len(held[int(c.id)]) < design.reviewers]
    reviewers = _reviewers(conn, pool)
    if missing and len(reviewers) < design.reviewers:
        raise ReviewError(
            Message(
                "{reviewers} reviewers per case need as many enabled reviewer accounts; "
                "there are {found} (caseload users add NAME --role reviewer)",
                {"reviewers": design.reviewers, "found": len(reviewers)},
            )
        )
    excluded = _excluded(
        conn, reviewers, [int(c.citizen_id) for c in missing], design.start, design.as_of
    )
    order = [r[0] for r in reviewers]
    shuffled = _rng(design.seed, "\x00reviewers").permutation(len(order))
    tiebreak = {order[i]: rank for rank, i in enumerate(shuffled)}
    rows = []
    for case in missing:
        have = held[int(case.id)]
        eligible = [
            a for a in order if a not in have and int(case.citizen_id) not in excluded.get(a, set())
        ]
        eligible.sort(key=lambda a: (load[a], tiebreak[a]))
        need = design.reviewers - len(have)
        if len(eligible) < need:
            raise ReviewError(
                Message(
                    "case {label} cannot have {n} reviewers: the others are its citizen's "
                    "caseworker or leader; add reviewer accounts",
                    {"label": case.label, "n": design.reviewers},
                )
            )
        for account in eligible[:need]:
            have.append(account)
            load[account] += 1
            rows.append({"review_case_id": int(case.id), "account_id": account, "slot": len(have)})
    if rows:
        conn.execute(insert(ra), rows)
    every = conn.execute(
        select(s.account.c.username, func.count())
        .join(ra, ra.c.account_id == s.account.c.id)
        .join(rc, rc.c.id == ra.c.review_case_id)
        .where(rc.c.review_id == review_id)
        .group_by(s.account.c.username)
    ).all()
    return {str(u): int(n) for u, n in sorted(every)}
