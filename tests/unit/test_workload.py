"""The workload model (plan/workload.py, plan/config.py): the shipped scenarios against the
caseloads their sources report, the breakdown's sums, the hand arithmetic of a small model,
every class of bad input named by file, key and reason, and the schema's round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseload.plan import config
from caseload.plan.workload import (
    WORKING_DAYS_PER_YEAR,
    ConfigError,
    every_position,
    sustainable_caseload,
)

PUBLISHED = Path("/work/shared/data/published/caseload_models.json")
TOLERANCE = 0.10
"""The scenarios must land within ±10 % of the caseload their source reports."""


def _published_mean(name: str, role: str) -> float:
    """The reported caseload, read from the published file (a copy ships with caseload)."""
    from caseload.data import published

    data = json.loads(PUBLISHED.read_text()) if PUBLISHED.exists() else published("caseload_models")
    return float(next(m["mean"] for m in data["models"] if m["name"] == name and m["role"] == role))


SEED_FIGURES = [
    ("copenhagen_before_2018", "coordinating_caseworker",
     "Copenhagen JKI ordinary departments before 2018", "coordinating_caseworker"),
    ("copenhagen_trial", "coordinating_caseworker",
     "Copenhagen JKI trial department 2018-2019", "coordinating_caseworker"),
    ("jobfirst", "coordinating_caseworker", "JobFirst", "coordinating_caseworker"),
    ("jobfirst", "mentor", "JobFirst", "mentor"),
    ("jobfirst", "company_consultant+mentor", "JobFirst", "company_consultant+mentor"),
]  # fmt: skip


@pytest.mark.parametrize(("scenario", "position", "name", "role"), SEED_FIGURES)
def test_the_scenarios_reproduce_the_reported_caseloads(
    scenario: str, position: str, name: str, role: str
) -> None:
    expected = _published_mean(name, role)
    assert expected in (220, 50, 62, 29, 33)
    got = sustainable_caseload(config.scenario(scenario), position).caseload
    assert abs(got - expected) / expected <= TOLERANCE, (scenario, position, got, expected)


def test_the_scenarios_state_what_their_source_reported_but_do_not_use_it() -> None:
    model = config.scenario("jobfirst")
    result = sustainable_caseload(model, "mentor")
    assert result.reported == 29
    altered = config.loads(
        (config.dumps(model)).replace('"mentor" = 29.0', '"mentor" = 1000.0'), "x.toml"
    )
    assert sustainable_caseload(altered, "mentor").caseload == result.caseload


def test_roles_combined_in_one_person_hold_more_than_the_mentor_alone() -> None:
    """Seed 004: VK/mentor 33 against mentor 29; all three roles more than VK/mentor."""
    model = config.scenario("jobfirst")
    loads = {r.position: r.caseload for r in every_position(model)}
    assert loads["company_consultant+mentor"] > loads["mentor"]
    assert (
        loads["coordinating_caseworker+company_consultant+mentor"]
        > loads["company_consultant+mentor"]
    )
    assert loads["coordinating_caseworker"] > loads["company_consultant+mentor"]


def test_copenhagen_before_2018_against_the_trial() -> None:
    before = sustainable_caseload(
        config.scenario("copenhagen_before_2018"), "coordinating_caseworker"
    )
    trial = sustainable_caseload(config.scenario("copenhagen_trial"), "coordinating_caseworker")
    assert before.caseload / trial.caseload > 3.5  # 220 against 50


@pytest.mark.parametrize("name", ["copenhagen_before_2018", "copenhagen_trial", "jobfirst"])
def test_the_breakdown_sums_to_the_total(name: str) -> None:
    model = config.scenario(name)
    for r in every_position(model):
        counted = sum(line.minutes for line in r.tasks if line.counted)
        assert counted + r.coordination_minutes == pytest.approx(r.minutes_per_citizen_month)
        assert r.caseload == pytest.approx(
            r.case_hours_per_month * 60 / r.minutes_per_citizen_month
        )
        shares = model.complexity
        mean = sum(shares.of(t) * m for t, m in r.by_tier)
        assert mean == pytest.approx(r.minutes_per_citizen_month)
        *lines, last = r.hours
        assert sum(line.hours_per_month for line in lines) == pytest.approx(last.hours_per_month)
        assert last.hours_per_month == pytest.approx(r.case_hours_per_month)


SMALL = """
[scenario]
name = "small"

[hours]
weekly_hours = 35
holiday_days = 25
public_holidays = 10
absence_days = 5
non_case_share = 0.1

[complexity]
simple = 0.5
complex = 0.5
very_complex = 0

[districts.a]
travel_minutes = 20
share = 0.25

[districts.b]
travel_minutes = 60
share = 0.75

[coordination]
minutes_per_colleague = 10

[[team_time]]
name = "learning group"
minutes = 120
every_days = 30

[[positions]]
roles = ["mentor"]
role_model = "all_apart"

[[positions]]
roles = ["company_consultant", "mentor"]
role_model = "buddy_pair"
districts = ["a"]

[[tasks]]
name = "visit"
role = "mentor"
per_month = { simple = 1, complex = 3, very_complex = 5 }
minutes = 40
documentation_minutes = 10
away_share = 0.5
joint = "visit"

[[tasks]]
name = "workplace"
role = "company_consultant"
per_month = 2
minutes = 30
away_share = 1
share = 0.5
joint = "visit"

[[tasks]]
name = "companies"
role = "company_consultant"
per_month = 1
minutes = 15
"""


def test_a_small_model_by_hand() -> None:
    model = config.loads(SMALL, "small.toml")
    days = WORKING_DAYS_PER_YEAR - 25 - 10 - 5
    net = days * 7 / 12
    sessions = (365.25 / 12) / 30 * days / WORKING_DAYS_PER_YEAR
    hours = net * 0.9 - sessions * 2
    # the mentor alone: all districts (travel 0.25*20 + 0.75*60 = 50), two colleagues
    visit = 0.5 * 1 * (40 + 10 + 0.5 * 50) + 0.5 * 3 * (40 + 10 + 0.5 * 50)
    mentor = sustainable_caseload(model, "mentor")
    assert mentor.travel_minutes == pytest.approx(50)
    assert mentor.minutes_per_citizen_month == pytest.approx(visit + 2 * 10)
    assert mentor.caseload == pytest.approx(hours * 60 / (visit + 20))
    # VK/mentor in district a only (travel 20), one colleague; the workplace visit is
    # joint with the (longer) mentor visit: counted once
    visit_a = 0.5 * 1 * (50 + 0.5 * 20) + 0.5 * 3 * (50 + 0.5 * 20)
    workplace = 0.5 * 2 * (30 + 20)
    assert workplace < visit_a
    both = sustainable_caseload(model, "company_consultant+mentor")
    assert both.minutes_per_citizen_month == pytest.approx(visit_a + 15 + 10)
    assert [line.counted for line in both.tasks] == [True, False, True]


def _refusal(text: str, tmp_path: Path) -> str:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(path)
    said = str(raised.value)
    assert said.startswith(f"{path}: "), said
    return said.removeprefix(f"{path}: ")


BAD = [
    # negative minutes, days, colleagues
    (("minutes = 40\n", "minutes = -40\n"), "tasks[1].minutes: must not be negative, got -40"),
    (("absence_days = 5\n", "absence_days = -1\n"), "hours.absence_days: must not be negative"),
    (('role_model = "all_apart"\n', 'role_model = "all_apart"\ncolleagues = -1\n'),
     "positions[1].colleagues: must not be negative"),
    # hours that do not fit in a week, a year or a month
    (("weekly_hours = 35\n", "weekly_hours = 200\n"),
     "hours.weekly_hours: must be more than 0 and at most 60 hours a week, got 200"),
    (("holiday_days = 25\n", "holiday_days = 300\n"),
     "hours: holidays, public holidays and absence"),
    (("every_days = 30\n", "every_days = 0.1\n"), "team_time: the team time and the time"),
    (("minutes = 15\n", "minutes = 100000\n"), "tasks[3]: one citizen's"),
    # shares outside 0-1
    (("non_case_share = 0.1\n", "non_case_share = 1.5\n"),
     "hours.non_case_share: must be a share from 0 to below 1, got 1.5"),
    (("away_share = 1\nshare = 0.5", "away_share = 1\nshare = 1.2"),
     "tasks[2].share: must be a share from 0 to 1"),
    (("away_share = 1\n", "away_share = -0.2\n"), "tasks[2].away_share: must not be negative"),
    (("simple = 0.5\ncomplex = 0.5\n", "simple = 0.7\ncomplex = 0.5\n"),
     "complexity: the tiers' shares must add up to 1, got 1.2"),
    # unknown role, role model, district, key
    (('role = "company_consultant"\nper_month = 1\n', 'role = "caseworker"\nper_month = 1\n'),
     "tasks[3].role: unknown role 'caseworker'; it must be one of: coordinating_caseworker"),
    (('role_model = "buddy_pair"', 'role_model = "pairs"'),
     "positions[2].role_model: unknown role model"),
    (('districts = ["a"]', 'districts = ["c"]'), "positions[2].districts[1]: unknown district 'c'"),
    (("minutes = 15\n", "minutes = 15\nminuts = 3\n"), "tasks[3].minuts: unknown key"),
    (("[coordination]", "[coordinations]"), "coordinations: unknown key"),
    # a number that is not one
    (("weekly_hours = 35\n", 'weekly_hours = "35"\n'), "hours.weekly_hours: must be a number"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "reason"), BAD, ids=[r for _, r in BAD])
def test_bad_input_is_refused_naming_file_key_and_reason(
    change: tuple[str, str], reason: str, tmp_path: Path
) -> None:
    old, new = change
    assert old in SMALL
    said = _refusal(SMALL.replace(old, new, 1), tmp_path)
    assert said.startswith(reason), said


def test_not_toml_and_an_unknown_role_asked_for(tmp_path: Path) -> None:
    assert _refusal("[scenario\n", tmp_path).startswith("-: not TOML")
    with pytest.raises(ConfigError, match=r"s\.toml: --role: unknown role 'job_specialist'"):
        sustainable_caseload(config.loads(SMALL, "s.toml"), "job_specialist")
    with pytest.raises(ConfigError, match="--scenario: nowhere: no such scenario"):
        config.scenario("nowhere")


def test_a_refusal_is_said_in_danish_too(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text(SMALL.replace("minutes = 40\n", "minutes = -40\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(path)
    assert str(path) in raised.value.text("da") and "tasks[1].minutes" in raised.value.text("da")


@pytest.mark.parametrize("name", ["copenhagen_before_2018", "copenhagen_trial", "jobfirst"])
def test_the_schema_round_trips(name: str) -> None:
    model = config.scenario(name)
    again = config.loads(config.dumps(model), model.file)
    assert again == model
    assert config.loads(SMALL, "s.toml") == config.loads(
        config.dumps(config.loads(SMALL, "s.toml")), "s.toml"
    )


def test_every_shipped_value_names_its_source() -> None:
    """Each line setting a value in a shipped scenario carries a comment: a source or
    ASSUMED (a value inside a table of tiers shares its line's comment)."""
    from importlib.resources import files

    folder = files("caseload.plan").joinpath("scenarios")
    for name in config.names():
        text = folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.strip()
            if "=" not in stripped or stripped.startswith("#"):
                continue
            key = stripped.split("=")[0].strip()
            if key in ("name", "title", "source", "role", "counted_as", "roles", "joint"):
                continue
            if key in ("coordinating_caseworker", "mentor", '"company_consultant+mentor"'):
                continue  # [scenario.reported]: the comment above the table says where from
            assert "#" in stripped, f"{name}: {stripped}"


def test_every_published_name_is_a_message_for_the_danish_reader() -> None:
    """The reference models and the union's groups come in English from the data file; each
    is in plan.reference_words (so it is in the catalogue, and read in Danish)."""
    from caseload.plan.reference_words import NAMES
    from caseload.plan.workload import reference_models, union_ranges

    names = {ref.name for ref in [*reference_models(), *union_ranges()]}
    assert names and names <= NAMES, sorted(names - NAMES)
