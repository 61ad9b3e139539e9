"""`caseload demo`: build the synthetic job centre and show its status; with --national, a
register of many job centres written straight to a Parquet dataset."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from sqlalchemy import Engine

from caseload.cli.common import (
    EXIT_STATE,
    HostOption,
    LangOption,
    PortOption,
    console,
    errors,
    fail,
    help_text,
    lang_of,
)
from caseload.cli.output import progress_bar
from caseload.cli.render.access import demo_accounts as show_demo_accounts
from caseload.cli.render.caseloads import status as show_status
from caseload.i18n import default_lang, translator
from caseload.operate.status import status
from caseload.register.lookup import holds_citizens
from caseload.store.database import connect, describe, resolve_url
from caseload.store.migrate import downgrade, upgrade

DEFAULT_DEMO_DB = "caseload-demo.sqlite"
SHOW_DAY = date(2019, 6, 30)
SERVE_DAY = date(2019, 3, 1)
"""The register day the demo is served on: a working day inside its data, so that
caseloads and overdue lists look as they would (a real register is served on today)."""
NATIONAL_CENTRES = 98
NATIONAL_CITIZENS = 100_000
"""``demo --national`` without --jobcentres or --citizens: every municipality's job centre."""


def _prepare(db: str, fresh: bool, lang: str) -> Engine:
    url = resolve_url(db)
    if url.startswith("sqlite") and fresh:
        path = Path(url.removeprefix("sqlite:///"))
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    engine = connect(db)
    if fresh and not url.startswith("sqlite"):
        downgrade(engine, "base")
    upgrade(engine)
    with engine.connect() as conn:
        if holds_citizens(conn):
            said = translator(lang).gettext(
                "{where} already holds a register; use --fresh to rebuild it.",
                where=describe(engine),
            )
            errors.print(said, style="red", markup=False)
            raise typer.Exit(EXIT_STATE)
    return engine


def _built(db: str) -> Engine | None:
    """The register when it is current and holds citizens; None otherwise."""
    from caseload.store.migrate import is_current

    if (
        resolve_url(db).startswith("sqlite")
        and not Path(resolve_url(db).removeprefix("sqlite:///")).exists()
    ):
        return None
    engine = connect(db)
    with engine.connect() as conn:
        ready = is_current(engine) and holds_citizens(conn)
    if not ready:
        engine.dispose()
        return None
    return engine


def demo(
    db: Annotated[
        str, typer.Option("--db", metavar="URL", help=help_text("SQLite file or database URL"))
    ] = DEFAULT_DEMO_DB,
    citizens: Annotated[
        int | None,
        typer.Option(
            "--citizens",
            metavar="N",
            max=100_000_000,
            help=help_text(
                "Scale to about this many citizens in the register (default: the "
                "published 917 + 856, the control departments' other citizens and later "
                "entrants: about 8,500)"
            ),
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help=help_text("Random seed"))] = 2018,
    fresh: Annotated[
        bool, typer.Option("--fresh", help=help_text("Replace an existing register"))
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help=help_text(
                "Then serve the web app on it (register day 2019-03-01) until Ctrl-C, with "
                "one account per role whose passwords are made now and printed once"
            ),
        ),
    ] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    national: Annotated[
        bool,
        typer.Option(
            "--national",
            help=help_text(
                "Generate a national register of many job centres (Danish municipalities, "
                "largest first) straight to a Parquet dataset in --parquet, not a database "
                "(default: {centres} job centres, {citizens} citizens)",
                centres=NATIONAL_CENTRES,
                citizens=translator(default_lang()).count(NATIONAL_CITIZENS),
            ),
        ),
    ] = False,
    jobcentres: Annotated[
        int | None,
        typer.Option(
            "--jobcentres",
            metavar="N",
            help=help_text("With --national: how many job centres (1 to 98)"),
        ),
    ] = None,
    trial_centres: Annotated[
        int | None,
        typer.Option(
            "--trial-centres",
            metavar="N",
            help=help_text(
                "With --national: how many of the largest job centres run the trial, each "
                "randomising its own citizens (default 3, København first)"
            ),
        ),
    ] = None,
    parquet: Annotated[
        Path | None,
        typer.Option(
            "--parquet",
            metavar="FOLDER",
            help=help_text(
                "With --national: the new or empty folder the dataset is written to (read "
                "by caseload evaluate --engine duckdb|spark --data FOLDER)"
            ),
        ),
    ] = None,
    lang: LangOption = "",
) -> None:
    """Build the synthetic Copenhagen-like job centre, report its status, and return (or,
    with --serve, serve it: the one already built, unless --fresh); with --national, a
    register of many job centres as a Parquet dataset."""
    from caseload.synth import jobcentre  # loaded when the command runs, not for every command

    language = lang_of(lang)
    _ = translator(language).gettext
    if seed < 0:
        raise fail(_("--seed must be 0 or more, not {value}", value=seed))
    if national or parquet is not None or jobcentres is not None or trial_centres is not None:
        _national(national, jobcentres, citizens, trial_centres, parquet, seed, serve or fresh,
                  language)  # fmt: skip
        return
    if citizens is not None and citizens < 100:
        raise fail(_("--citizens must be at least 100"))
    if serve and not fresh:
        built = _built(db)
        if built is not None:  # the demo is there already: serve it as it is
            _serve(built, db, host, port, language)
            return
    engine = _prepare(db, fresh, language)
    started = time.perf_counter()
    with progress_bar(console, transient=False) as progress:
        step = progress.add_task(_("simulating the job centre"), total=1)
        centre = jobcentre.simulate(citizens, seed)
        progress.update(step, completed=1)
        tasks: dict[str, TaskID] = {}

        def tick(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(_("writing {table}", table=name), total=total)
            progress.update(tasks[name], completed=done)

        results = jobcentre.write(engine, centre, tick)
    rows = sum(r.inserted for r in results)
    console.print(
        _(
            "Built {where}: {rows} rows, {citizens} citizens in {seconds} s (seed {seed}).",
            where=describe(engine),
            rows=translator(language).count(rows),
            citizens=translator(language).count(centre.people.height),
            seconds=translator(language).decimal(time.perf_counter() - started, 1),
            seed=seed,
        )
    )
    arms = dict(centre.people.group_by("cohort").len().iter_rows())
    console.print(
        _(
            "Trial {trial}: {treated} trial and {control} control citizens allocated on {day}.",
            trial=jobcentre.TRIAL_CODE,
            treated=translator(language).count(arms.get("trial", 0)),
            control=translator(language).count(arms.get("control", 0)),
            day=translator(language).date("2018-01-01"),
        )
    )
    from caseload.synth.review import DEMO_REVIEW, demo_review

    with engine.begin() as conn:
        cases = demo_review(conn, SERVE_DAY, language)
    console.print(
        _(
            "Case review {code}: {cases} cases drawn on {day}, scored by two reviewers each "
            "(demo-reviewer's cases wait in the web app).",
            code=DEMO_REVIEW,
            cases=translator(language).count(cases),
            day=translator(language).date(SERVE_DAY),
        )
    )
    with engine.connect() as conn:
        report = status(conn, SHOW_DAY)
    trial_dept = next((c.department for c in report.caseloads if c.is_trial), None)
    show_status(console, report, language, trial_dept, every=False)
    if serve:
        _serve(engine, db, host, port, language)


def _national(
    national: bool,
    jobcentres: int | None,
    citizens: int | None,
    trial_centres: int | None,
    parquet: Path | None,
    seed: int,
    register_options: bool,
    language: str,
) -> None:
    """``demo --national``: the national register to Parquet, a progress bar per centre and
    a one-line summary; refusals in one line (exit code 2)."""
    from caseload.register.dataset import FolderNotEmpty
    from caseload.synth import national as nationwide

    tr = translator(language)
    _ = tr.gettext
    if not national:
        raise fail(_("--parquet, --jobcentres and --trial-centres go with --national"))
    if parquet is None:
        raise fail(_("--national writes a Parquet dataset: give --parquet FOLDER"))
    if register_options:
        raise fail(_("--national writes no register: leave out --serve and --fresh"))
    centres = NATIONAL_CENTRES if jobcentres is None else jobcentres
    people = NATIONAL_CITIZENS if citizens is None else citizens
    try:
        planned = nationwide.prepare(parquet, centres, people, trial_centres, seed)
    except (nationwide.NationalError, FolderNotEmpty) as error:
        raise fail(tr.message(error.message)) from None
    with progress_bar(console, transient=False) as progress:
        task = progress.add_task(planned[0].name, total=len(planned))

        def tick(centre: str, done: int, total: int) -> None:
            shown = centre if done < total else _("job centres")
            progress.update(task, description=shown, completed=done, total=total)

        made = nationwide.generate(parquet, centres, people, trial_centres, seed, tick)
    numbers = {
        "folder": str(parquet),
        "count": tr.count(len(made.centres)),
        "citizens": tr.count(made.citizens),
        "files": tr.count(made.files),
        "size": tr.decimal(made.size / 1e6, 1),
        "seconds": tr.decimal(made.seconds, 1),
        "seed": seed,
    }
    trials = sum(c.trial for c in made.centres)
    if trials:
        said = tr.ngettext(
            "Wrote {folder}: {count} job centre, {citizens} citizens; trial {trial} in "
            "{trials} of them: {treated} trial and {control} control citizens; {files} "
            "files, {size} MB in {seconds} s (seed {seed}).",
            "Wrote {folder}: {count} job centres, {citizens} citizens; trial {trial} in "
            "{trials} of them: {treated} trial and {control} control citizens; {files} "
            "files, {size} MB in {seconds} s (seed {seed}).",
            len(made.centres),
            trial=nationwide.TRIAL_CODE,
            trials=trials,
            treated=tr.count(made.arms.get("trial", 0)),
            control=tr.count(made.arms.get("control", 0)),
            **numbers,
        )
    else:
        said = tr.ngettext(
            "Wrote {folder}: {count} job centre, {citizens} citizens, no trial; {files} "
            "files, {size} MB in {seconds} s (seed {seed}).",
            "Wrote {folder}: {count} job centres, {citizens} citizens, no trial; {files} "
            "files, {size} MB in {seconds} s (seed {seed}).",
            len(made.centres),
            **numbers,
        )
    console.print(said, markup=False, soft_wrap=True)


def _serve(engine: Engine, db: str, host: str, port: int, language: str) -> None:
    """One account per role (new passwords, shown once), then the web app until Ctrl-C."""
    from caseload.cli.serve import run
    from caseload.serve.settings import Settings
    from caseload.synth.accounts import add_demo_accounts

    with engine.begin() as conn:
        made = add_demo_accounts(conn, SERVE_DAY, language)
    where = describe(engine)
    engine.dispose()
    show_demo_accounts(console, made, f"http://{host}:{port}/", language)
    settings = Settings(db=db, register_day=SERVE_DAY, default_lang=language)
    run(settings, where, host, port, 1, language)
