"""A national synthetic register: N job centres written straight to Parquet in the dataset
layout (store/datasets.py), never through a database.

Each job centre is the demo's simulation (synth.jobcentre) at its own size, seed and
between-centre variation; its import-format frames become the register's stored tables the
way the importer would make them (defaults, derived columns, codes resolved to ids, from the
table specs of register/catalogue), with internal ids made unique across centres by running
offsets and codes prefixed by the centre's code (``751-C0000042``). One centre is generated,
written (one file per table) and dropped before the next, so memory stays at about the
largest centre. docs/synthetic.md ("National register") states every assumption.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import Boolean, Float, Integer, Table

from caseload.evaluate.randomise import Design
from caseload.i18n import Message, Said
from caseload.register import catalogue
from caseload.register.dataset import FolderNotEmpty
from caseload.register.spec import Field, TableSpec
from caseload.register.validate import TRUE, TYPES
from caseload.store import datasets
from caseload.store.datasets import PARTITION
from caseload.store.migrate import head_revision
from caseload.synth import calibration as cal
from caseload.synth import jobcentre, population

Tick = Callable[[str, int, int], None]
"""Progress: (the job centre being written, centres written so far, centres in all)."""

TRIAL_CODE = "DK-2018"
TRIAL_NAME = "Lower caseloads 2018-2019, national (synthetic)"
MIN_CITIZENS = 100
"""Each job centre's least size (the demo's smallest job centre)."""
EXIT_SD = 0.20
"""Between-centre variation of the exit hazard: a centre's hazard is Copenhagen's times
exp(EXIT_SD · z), z standard normal (lognormal, median 1)."""
TRIAL_SD = 0.15
"""Between-centre variation of the trial effect: the trial arm's exit hazard is, on top of
the centre's, Copenhagen's trial-arm hazard times exp(TRIAL_SD · z)."""
TRIAL_CENTRES = 3
"""Job centres running the trial by default: the largest ones."""


@dataclass(frozen=True)
class Municipality:
    code: str
    """The municipality number (kommunekode), as text."""
    name: str
    population: int
    """Inhabitants in thousands, rounded (about 2019): the weight of its size, nothing more."""


_MUNICIPALITIES = (
    ("101", "København", 623), ("751", "Aarhus", 349), ("851", "Aalborg", 215),
    ("461", "Odense", 204), ("561", "Esbjerg", 116), ("630", "Vejle", 116),
    ("147", "Frederiksberg", 104), ("730", "Randers", 98), ("791", "Viborg", 96),
    ("621", "Kolding", 93), ("740", "Silkeborg", 93), ("615", "Horsens", 90),
    ("657", "Herning", 89), ("265", "Roskilde", 88), ("370", "Næstved", 83),
    ("330", "Slagelse", 79), ("157", "Gentofte", 75), ("540", "Sønderborg", 74),
    ("316", "Holbæk", 71), ("159", "Gladsaxe", 69), ("860", "Hjørring", 65),
    ("217", "Helsingør", 63), ("746", "Skanderborg", 61), ("376", "Guldborgsund", 61),
    ("259", "Køge", 60), ("813", "Frederikshavn", 60), ("580", "Aabenraa", 59),
    ("661", "Holstebro", 59), ("479", "Svendborg", 58), ("760", "Ringkøbing-Skjern", 57),
    ("230", "Rudersdal", 56), ("173", "Lyngby-Taarbæk", 56), ("510", "Haderslev", 56),
    ("167", "Hvidovre", 53), ("430", "Faaborg-Midtfyn", 51), ("219", "Hillerød", 51),
    ("607", "Fredericia", 51), ("169", "Høje-Taastrup", 50), ("253", "Greve", 50),
    ("573", "Varde", 50), ("326", "Kalundborg", 49), ("151", "Ballerup", 48),
    ("710", "Favrskov", 48), ("766", "Hedensted", 46), ("779", "Skive", 46),
    ("250", "Frederikssund", 45), ("390", "Vordingborg", 45), ("240", "Egedal", 43),
    ("185", "Tårnby", 43), ("575", "Vejen", 43), ("787", "Thisted", 43),
    ("706", "Syddjurs", 42), ("846", "Mariagerfjord", 42), ("190", "Furesø", 41),
    ("270", "Gribskov", 41), ("420", "Assens", 41), ("756", "Ikast-Brande", 41),
    ("360", "Lolland", 41), ("210", "Fredensborg", 40), ("175", "Rødovre", 40),
    ("400", "Bornholm", 40), ("410", "Middelfart", 38), ("849", "Jammerbugt", 38),
    ("550", "Tønder", 37), ("707", "Norddjurs", 37), ("820", "Vesthimmerland", 37),
    ("810", "Brønderslev", 36), ("320", "Faxe", 36), ("153", "Brøndby", 35),
    ("329", "Ringsted", 35), ("306", "Odsherred", 33), ("450", "Nyborg", 32),
    ("260", "Halsnæs", 31), ("840", "Rebild", 30), ("340", "Sorø", 30),
    ("163", "Herlev", 29), ("480", "Nordfyns", 29), ("165", "Albertslund", 28),
    ("350", "Lejre", 28), ("530", "Billund", 27), ("201", "Allerød", 25),
    ("223", "Hørsholm", 25), ("440", "Kerteminde", 24), ("336", "Stevns", 23),
    ("161", "Glostrup", 23), ("183", "Ishøj", 23), ("269", "Solrød", 23),
    ("727", "Odder", 23), ("671", "Struer", 22), ("773", "Morsø", 21),
    ("665", "Lemvig", 20), ("187", "Vallensbæk", 16), ("155", "Dragør", 14),
    ("482", "Langeland", 12), ("492", "Ærø", 6), ("741", "Samsø", 4),
    ("563", "Fanø", 3), ("825", "Læsø", 2),
)  # fmt: skip
MUNICIPALITIES: tuple[Municipality, ...] = tuple(
    Municipality(code, name, people) for code, name, people in _MUNICIPALITIES
)
"""Denmark's 98 municipalities, largest first: a register of N job centres holds the N
largest, one job centre per municipality."""
COPENHAGEN = "101"


class NationalError(Said, ValueError):
    """A national register that cannot be made as asked, in words."""


@dataclass(frozen=True)
class Centre:
    """One job centre of the national register, as planned before it is simulated."""

    code: str
    name: str
    citizens: int
    """About how many citizens its register holds (the demo's ``--citizens``)."""
    seed: int
    trial: bool
    exit_hazard: float
    trial_hazard: float


def plan(
    jobcentres: int, citizens: int, trial_centres: int | None = None, seed: int = 2018
) -> list[Centre]:
    """The N largest municipalities' job centres with their sizes, seeds and effects.

    Sizes: each centre gets ``MIN_CITIZENS``, and the rest of ``citizens`` is shared in
    proportion to the municipality's population (largest remainders), so the sizes sum to
    ``citizens`` and København is the largest. The ``trial_centres`` largest (default
    ``TRIAL_CENTRES``, at most N) run the trial. A centre's seed and effects depend only on
    ``seed`` and its municipality number.
    """
    if jobcentres < 1 or jobcentres > len(MUNICIPALITIES):
        raise NationalError(
            Message(
                "--jobcentres must be between 1 and {most} (one job centre per Danish "
                "municipality), not {value}",
                {"most": len(MUNICIPALITIES), "value": jobcentres},
            )
        )
    if citizens < MIN_CITIZENS * jobcentres:
        raise NationalError(
            Message(
                "--citizens must be at least {least} for {centres} job centres ({each} each)",
                {"least": MIN_CITIZENS * jobcentres, "centres": jobcentres, "each": MIN_CITIZENS},
            )
        )
    trials = min(TRIAL_CENTRES, jobcentres) if trial_centres is None else trial_centres
    if trials < 0 or trials > jobcentres:
        raise NationalError(
            Message(
                "--trial-centres must be between 0 and --jobcentres ({centres}), not {value}",
                {"centres": jobcentres, "value": trials},
            )
        )
    chosen = MUNICIPALITIES[:jobcentres]
    weights = np.array([m.population for m in chosen], dtype=float)
    share = (citizens - MIN_CITIZENS * jobcentres) * weights / weights.sum()
    extra = np.floor(share).astype(np.int64)
    left = int(citizens - MIN_CITIZENS * jobcentres - extra.sum())
    extra[np.argsort(-(share - extra), kind="stable")[:left]] += 1
    out = []
    for i, (m, more) in enumerate(zip(chosen, extra.tolist(), strict=True)):
        z = np.random.default_rng([seed, int(m.code), 1]).standard_normal(2)
        same = m.code == COPENHAGEN  # the published margins, as the demo
        out.append(
            Centre(
                code=m.code,
                name=f"Jobcenter {m.name}",
                citizens=MIN_CITIZENS + more,
                seed=int(np.random.SeedSequence([seed, int(m.code)]).generate_state(1)[0]),
                trial=i < trials,
                exit_hazard=1.0 if same else float(np.exp(EXIT_SD * z[0])),
                trial_hazard=1.0 if same else float(np.exp(TRIAL_SD * z[1])),
            )
        )
    return out


# --- import frames → stored tables ---------------------------------------------------------


@dataclass
class Ids:
    """The next internal id of each table: ids run on across job centres."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int) -> int:
        first = self.next.get(table, 1)
        self.next[table] = first + count
        return first


SHARED = frozenset({"jobcentres", "trials"})
"""Import tables whose codes are the register's own, not a centre's (never prefixed)."""


def partitioned() -> frozenset[str]:
    """The stored tables whose rows belong to a job centre: those with a foreign key to the
    job centres or to such a table (register.dataset's rule)."""
    found: set[str] = set()
    for table in datasets.register_tables():
        parents = {fk.column.table.name for fk in table.foreign_keys}
        if table.name != "jobcentre" and (parents - {table.name}) & (found | {"jobcentre"}):
            found.add(table.name)
    return frozenset(found)


def _code_field(spec: TableSpec) -> Field | None:
    return next((f for f in spec.fields if f.column == "code"), None)


def _default(f: Field) -> pl.Expr:
    dtype = TYPES[f.kind]
    if f.default is None:
        return pl.lit(None, dtype)
    if f.kind == "bool":
        return pl.lit(f.default.lower() in TRUE, pl.Boolean)
    return pl.lit(f.default).cast(dtype)


def _server_default(table: Table, name: str, dtype: pl.DataType) -> pl.Expr:
    """A column the import leaves out: what the database gives it (its server default)."""
    column = table.c[name]
    given = column.server_default
    text = getattr(given, "arg", None)
    if not isinstance(text, str):
        return pl.lit(None, dtype)
    if isinstance(column.type, Boolean):
        return pl.lit(text.lower() in ("1", "true"), pl.Boolean)
    if isinstance(column.type, Integer):
        return pl.lit(int(text), dtype)
    if isinstance(column.type, Float):
        return pl.lit(float(text), dtype)
    return pl.lit(text, dtype)


@dataclass
class Converter:
    """One job centre's import frames → the register's stored rows, the importer's way:
    fields a frame leaves out take their spec default (else empty), the table's normalise
    and derive run, codes are prefixed by the centre's code (``prefix``) and every
    reference is resolved to the id the referenced row got (in this centre, or the
    register's own job centres and trials). Each table's ids continue from ``ids``."""

    code: str
    ids: Ids
    prefix: bool = True
    codes: dict[str, pl.DataFrame] = field(default_factory=dict)
    """Import table → its rows' ``code`` (as in the frames) and ``id``, while referenced."""

    def stored(self, spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
        """The stored table's columns (store/schema.py), with ``id``; raises if a reference
        names no row (the importer would refuse the file)."""
        table = spec.table
        typed = frame.with_columns(
            *(pl.col(f.name).cast(TYPES[f.kind]) for f in spec.fields if f.name in frame.columns),
            *(
                (pl.lit(self.code) if f.ref == "jobcentres" else _default(f)).alias(f.name)
                for f in spec.fields
                if f.name not in frame.columns
            ),
        )
        if spec.normalise is not None:
            typed = spec.normalise(typed)
        if spec.derive is not None:
            typed = spec.derive(typed)
        first = self.ids.take(table.name, typed.height)
        ids = pl.int_range(0, typed.height, dtype=pl.Int64) + first
        typed = typed.with_columns(ids.alias("id"))
        own = _code_field(spec)
        if own is not None:
            self.codes[spec.name] = typed.select(pl.col(own.name).alias("code"), "id")
        columns: dict[str, pl.Series] = {"id": typed.get_column("id")}
        for f in spec.fields:
            if f.name not in typed.columns:
                continue  # taken by derive (a CPR number becomes its hash)
            if f.kind == "ref":
                columns[f.column] = self._resolve(spec, f, typed)
            elif f is own and self.prefix and spec.name not in SHARED:
                prefixed = pl.lit(f"{self.code}-") + pl.col(f.name)
                columns[f.column] = typed.select(prefixed.alias(f.column)).to_series()
            else:
                columns[f.column] = typed.get_column(f.name).alias(f.column)
        for name in spec.derived_columns:
            if name in typed.columns:
                columns[name] = typed.get_column(name)
        types = datasets.polars_schema(table)
        out = pl.DataFrame(columns)
        return out.select(
            (
                pl.col(name).cast(dtype)
                if name in out.columns
                else _server_default(table, name, dtype).alias(name)
            )
            for name, dtype in types.items()
        )

    def _resolve(self, spec: TableSpec, f: Field, typed: pl.DataFrame) -> pl.Series:
        assert f.ref is not None
        if f.ref not in self.codes:  # a table this centre does not fill (no trial)
            return pl.Series(f.column, [None] * typed.height, dtype=pl.Int64)
        lookup = self.codes[f.ref].rename({"code": f.name, "id": "_id"})
        ids = typed.select(f.name).join(lookup, on=f.name, how="left", maintain_order="left")
        unknown = ids.get_column(f.name).is_not_null() & ids.get_column("_id").is_null()
        if unknown.any():
            missing = ids.filter(unknown).get_column(f.name).head(3).to_list()
            raise RuntimeError(f"{spec.name}.{f.name} names unknown {f.ref} rows: {missing}")
        return ids.get_column("_id").alias(f.column)

    def forget(self, name: str) -> None:
        self.codes.pop(name, None)


def _last_use() -> dict[str, int]:
    """For each import table, the place in the load order of the last table naming it."""
    last: dict[str, int] = {}
    for i, spec in enumerate(catalogue.SPECS):
        for f in spec.fields:
            if f.kind == "ref" and f.ref:
                last[f.ref] = i
    return last


def centre_tables(
    centre: jobcentre.JobCentre,
    code: str,
    name: str,
    converter: Converter,
    trial_id: int | None = None,
) -> Iterator[tuple[TableSpec, pl.DataFrame]]:
    """A simulated job centre's stored tables, one at a time in load order (each made,
    handed over and dropped before the next). Its job centre is ``code``, ``name``; its
    trial assignments belong to the register's trial ``trial_id`` (its own code is
    resolved to it) with the centre's code as their block; the centre's trial row itself
    is the caller's to write once."""
    last = _last_use()
    if trial_id is not None:
        converter.codes["trials"] = pl.DataFrame(
            {"code": [jobcentre.TRIAL_CODE], "id": [trial_id]},
            schema={"code": pl.Utf8, "id": pl.Int64},
        )
    for i, spec in enumerate(catalogue.SPECS):
        if spec.name == "trials":
            continue
        frame = centre.table(spec.name)
        if spec.name == "jobcentres":
            frame = pl.DataFrame({"jobcentre_id": [code], "name": [name]})
        elif spec.name == "assignments" and frame.height:
            frame = frame.with_columns(pl.lit(code).alias("block"))
        stored = converter.stored(spec, frame)
        del frame
        yield spec, stored
        for gone, until in last.items():
            if until == i:
                converter.forget(gone)


def national_trial(centres: list[Centre], seed: int) -> pl.DataFrame:
    """The register's one trial, in the import format: each trial centre randomised its own
    citizens (complete randomisation within the centre: the block)."""
    probability = population.BASE["trial"] / (population.BASE["trial"] + population.BASE["control"])
    departments = [f"{c.code}-{d.code}" for c in centres if c.trial for d in cal.departments()]
    return pl.DataFrame(
        {
            "trial_id": [TRIAL_CODE],
            "name": [TRIAL_NAME],
            "unit": ["citizen"],
            "start_date": [cal.START],
            "end_date": [cal.TRIAL_END],
            "outcome_end_date": [cal.WINDOW_END],
            "scheme": [
                Design(
                    scheme="complete",
                    probability=probability,
                    seed=seed,
                    eligible={"departments": departments, "target_groups": []},
                ).to_text()
            ],
            "seed": [str(seed)],
            "created_by": ["caseload demo --national"],
        }
    )


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class National:
    """What was written."""

    folder: Path
    centres: tuple[Centre, ...]
    tables: dict[str, int]
    """Stored table → rows."""
    arms: dict[str, int]
    """The trial's citizens per arm (every trial centre)."""
    files: int
    size: int
    """Bytes on disk."""
    seconds: float

    @property
    def citizens(self) -> int:
        return self.tables.get("citizen", 0)


def prepare(
    out: Path, jobcentres: int, citizens: int, trial_centres: int | None = None, seed: int = 2018
) -> list[Centre]:
    """The job centres :func:`generate` would write (:func:`plan`), or NationalError or
    FolderNotEmpty saying why it would refuse; nothing is written."""
    centres = plan(jobcentres, citizens, trial_centres, seed)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FolderNotEmpty(
            Message("{folder}: the folder is not empty; give a new one", {"folder": str(out)})
        )
    return centres


def generate(
    out: Path,
    jobcentres: int,
    citizens: int,
    trial_centres: int | None = None,
    seed: int = 2018,
    tick: Tick | None = None,
) -> National:
    """Write a national register of ``jobcentres`` job centres and about ``citizens``
    citizens under ``out`` (new or empty) in the dataset layout, with its manifest;
    reproducible from ``seed`` (the same arguments give the same files)."""
    started = time.perf_counter()
    centres = prepare(out, jobcentres, citizens, trial_centres, seed)
    out.mkdir(parents=True, exist_ok=True)
    by_table = {t.name: t for t in datasets.register_tables()}
    split = partitioned()
    rows = dict.fromkeys(by_table, 0)
    arms = {"trial": 0, "control": 0}
    ids = Ids()
    shared: dict[str, pl.DataFrame] = {}
    trial_id = None
    if any(c.trial for c in centres):
        trials = catalogue.spec("trials")
        converter = Converter("", ids, prefix=False)
        trial_rows = converter.stored(trials, national_trial(centres, seed))
        trial_id = int(trial_rows.get_column("id").item())
        rows[trials.table.name] += datasets.write_table(out, trials.table, trial_rows)
    for done, centre in enumerate(centres):
        if tick is not None:
            tick(centre.name, done, len(centres))
        simulated = jobcentre.simulate(
            centre.citizens,
            centre.seed,
            trial=centre.trial,
            exit_hazard=centre.exit_hazard,
            trial_hazard=centre.trial_hazard,
        )
        converter = Converter(centre.code, ids)
        for spec, frame in centre_tables(
            simulated, centre.code, centre.name, converter, trial_id if centre.trial else None
        ):
            table = spec.table
            own, common = _split_shared(spec, frame)
            if common.height:
                shared[table.name] = _kept(spec, shared.get(table.name), common)
            if table.name == "trial_assignment":
                for arm, count in own.group_by("arm").len().iter_rows():
                    arms[str(arm)] += int(count)
            if own.height:
                if table.name in split:
                    own = own.with_columns(pl.lit(centre.code).alias(PARTITION))
                rows[table.name] += datasets.write_table(out, table, own, part=centre.code)
        del simulated
    if tick is not None and centres:
        tick(centres[-1].name, len(centres), len(centres))
    for name, frame in shared.items():
        # rows that name no centre's row (register-wide caps, the default meeting rule):
        # every centre brings the same ones, kept once with the first centre's ids
        if name in split:
            frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(PARTITION))
        rows[name] += datasets.write_table(out, by_table[name], frame, part="shared")
    for name, count in rows.items():
        if not count:  # an empty table is one empty file, its columns typed
            datasets.write_table(out, by_table[name], _empty(by_table[name]))
    # each centre's rows name only its own rows (or the shared ones): a closed dataset
    datasets.write_manifest(out, head_revision() or "", rows, sorted(split), closed=True)
    files = [p for p in out.rglob("*.parquet")]
    return National(
        folder=out,
        centres=tuple(centres),
        tables=rows,
        arms=arms,
        files=len(files),
        size=sum(p.stat().st_size for p in files),
        seconds=time.perf_counter() - started,
    )


def _empty(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=datasets.polars_schema(table))


def _split_shared(spec: TableSpec, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The centre's own rows, and the rows that name no row of any centre (a table without
    codes whose references are all empty: a cap for the whole register, the default
    meeting rule)."""
    if _code_field(spec) is not None or spec.name in SHARED:
        return frame, frame.clear()
    refs = [f.column for f in spec.fields if f.kind == "ref"]
    common = pl.all_horizontal(pl.col(c).is_null() for c in refs) if refs else pl.lit(True)
    return frame.filter(~common), frame.filter(common)


def _kept(spec: TableSpec, kept: pl.DataFrame | None, new: pl.DataFrame) -> pl.DataFrame:
    """Register-wide rows as the importer keeps them: one per natural key, the first."""
    if kept is None:
        return new
    key = list(spec.key_columns())
    fresh = new.join(kept.select(key), on=key, how="anti", nulls_equal=True)
    return pl.concat([kept, fresh])
