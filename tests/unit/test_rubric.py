"""The case review's rubric (review/rubric.py): the shipped rubric of seed 002's five themes,
every class of bad input named by file, key and reason (all problems at once), the JSON
round trip a review's design relies on, and a job centre's own rubric on another scale."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from caseload.review import rubric
from caseload.review.rubric import Rubric, RubricError

VALID = """\
name.da = "Min gennemgang"
name.en = "My review"
scale = [1, 2, 3]

[[items]]
key = "first"
title.da = "Første"
title.en = "First"
question.da = "Hvordan?"
question.en = "How?"

[items.anchors]
1.da = "Svagt"
1.en = "Weak"
3.da = "Stærkt"
3.en = "Strong"

[[items]]
key = "second"
title.da = "Anden"
title.en = "Second"
question.da = "Hvorfor?"
question.en = "Why?"

[items.anchors]
2.da = "Middel"
2.en = "Middling"
"""


def _changed(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def _problems(text: str, tmp_path: Path) -> list[str]:
    """Each problem of the file holding ``text``, without the file's name in front."""
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as raised:
        rubric.load(path)
    said = [str(p) for p in raised.value.problems]
    assert str(raised.value) == "\n".join(said)
    assert all(p.startswith(f"{path}: ") for p in said), said
    return [p.removeprefix(f"{path}: ") for p in said]


def test_the_default_rubric_has_seed_002s_five_themes() -> None:
    shipped = rubric.default()
    assert shipped.keys == ("information", "common_thread", "involvement", "follow_up", "outreach")
    assert shipped.scale == (1, 2, 3, 4, 5)
    assert (shipped.lowest, shipped.highest) == (1, 5)
    assert shipped.name_in("da") and shipped.name_in("en")


def test_every_text_of_the_default_is_in_danish_and_english() -> None:
    shipped = rubric.default()
    for item in shipped.items:
        for lang in ("da", "en"):
            assert item.title_in(lang).strip()
            assert item.question_in(lang).strip()
        assert item.title_in("da") != item.title_in("en")


def test_every_point_of_the_default_is_anchored_in_both_languages() -> None:
    shipped = rubric.default()
    for item in shipped.items:
        assert sorted(item.anchors) == list(shipped.scale), item.key
        for point in shipped.scale:
            da, en = item.anchor_in(point, "da"), item.anchor_in(point, "en")
            assert da and en and da != en, (item.key, point)
        # five different descriptions, not one copied
        assert len({item.anchor_in(p, "en") for p in shipped.scale}) == len(shipped.scale)


def test_an_item_by_key() -> None:
    shipped = rubric.default()
    assert shipped.item("outreach").title_in("da") == "Opsøgende opfølgning på afbud"
    with pytest.raises(KeyError):
        shipped.item("speed")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        shipped.item("outreach").title_in("de")


def test_the_valid_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(VALID, encoding="utf-8")
    loaded = rubric.load(path)
    assert loaded == rubric.loads(VALID, "other.toml")
    assert loaded.keys == ("first", "second")
    first = loaded.item("first")
    assert first.anchor_in(3, "en") == "Strong"
    assert first.anchor_in(2, "en") is None  # a point may have no anchor


BAD = [
    # the scale: whole numbers, going up, each once, 2 to 11 points
    (("scale = [1, 2, 3]", "scale = [1, 2.5, 3]"), "scale[2]: must be a whole number, got 2.5"),
    (("scale = [1, 2, 3]", 'scale = [1, "2", 3]'), "scale[2]: must be a whole number, got '2'"),
    (("scale = [1, 2, 3]", "scale = [1, true, 3]"), "scale[2]: must be a whole number, got True"),
    (("scale = [1, 2, 3]", "scale = [3, 2, 1]"), "scale: must go up, each point once, got 3, 2, 1"),
    (("scale = [1, 2, 3]", "scale = [1, 2, 2, 3]"), "scale: must go up, each point once"),
    (("scale = [1, 2, 3]", "scale = [1]"), "scale: must have from 2 to 11 points, got 1"),
    (("scale = [1, 2, 3]", f"scale = {list(range(12))}"),
     "scale: must have from 2 to 11 points, got 12"),
    (("scale = [1, 2, 3]", "scale = 3"), "scale: must be a list"),
    (("scale = [1, 2, 3]\n", ""), "scale: missing"),
    # the name, a title and a question: da and en, not empty
    (('name.en = "My review"\n', ""), "name.en: missing"),
    (('title.en = "First"\n', ""), "items[1].title.en: missing"),
    (('title.da = "Anden"', 'title.da = "  "'), "items[2].title.da: must be a text, got '  '"),
    (('title.da = "Anden"', "title.da = 2"), "items[2].title.da: must be a text, got 2"),
    (('question.da = "Hvorfor?"\nquestion.en = "Why?"\n', ""), "items[2].question: missing"),
    (('question.da = "Hvorfor?"\nquestion.en = "Why?"', 'question = "Why?"'),
     "items[2].question: must be a text in each language: da, en"),
    # item keys: snake_case, unique
    (('key = "second"', 'key = "first"'), "items[2].key: a second item first"),
    (('key = "first"', 'key = "First-item"'),
     "items[1].key: must be a key in snake_case (a lowercase letter, then lowercase letters, "
     "digits or _), got 'First-item'"),
    (('key = "first"', 'key = "1st"'), "items[1].key: must be a key in snake_case"),
    (('key = "first"\n', ""), "items[1].key: missing"),
    # anchors: only on the scale's points, each in da and en
    (('2.da = "Middel"\n2.en = "Middling"', '6.da = "Middel"\n6.en = "Middling"'),
     "items[2].anchors.6: not a point on the scale (1, 2, 3)"),
    (('2.da = "Middel"\n2.en = "Middling"', 'x.da = "Middel"\nx.en = "Middling"'),
     "items[2].anchors.x: not a point on the scale (1, 2, 3)"),
    (('2.da = "Middel"\n2.en = "Middling"', '02.da = "Middel"\n02.en = "Middling"'),
     "items[2].anchors.02: not a point on the scale (1, 2, 3)"),
    (('1.da = "Svagt"\n', ""), "items[1].anchors.1.da: missing"),
    (('2.da = "Middel"\n2.en = "Middling"', '2 = "Middel"'),
     "items[2].anchors.2: must be a text in each language: da, en"),
    # unknown keys, anywhere, by name
    (('name.da = "Min gennemgang"', 'nmae.da = "Min gennemgang"'),
     "nmae: unknown key; the keys here are: name, scale, items"),
    (('title.da = "Første"', 'titel.da = "Første"'),
     "items[1].titel: unknown key; the keys here are: key, title, question, anchors"),
    (('title.da = "Første"', 'title.dk = "Første"'),
     "items[1].title.dk: unknown key; the keys here are: da, en"),
    (('name.en = "My review"', 'name.en = "My review"\nname.de = "Meine"'),
     "name.de: unknown key; the keys here are: da, en"),
    (('3.en = "Strong"', '3.en = "Strong"\n3.de = "Stark"'),
     "items[1].anchors.3.de: unknown key; the keys here are: da, en"),
    # TOML that is not TOML: the file and the line
    (('key = "second"', "key = second"), "-: not TOML: Invalid value (at line 19, column 7)"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), BAD, ids=[e for _, e in BAD])
def test_a_bad_rubric_is_refused_by_file_key_and_reason(
    change: tuple[str, str], expected: str, tmp_path: Path
) -> None:
    problems = _problems(_changed(*change), tmp_path)
    assert any(p.startswith(expected) for p in problems), problems


def test_items_must_be_a_list_of_at_least_one(tmp_path: Path) -> None:
    head = VALID[: VALID.index("[[items]]")]
    assert _problems(head + "items = []\n", tmp_path) == ["items: must hold at least one item"]
    assert _problems(head + "[items]\nkey = 'a'\n", tmp_path) == ["items: must be a list"]
    assert _problems(head, tmp_path) == ["items: missing"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        _changed("scale = [1, 2, 3]", "scale = [3, 2, 1]")
        .replace('key = "second"', 'key = "first"')
        .replace('title.en = "First"\n', "")
        .replace("2.da", "2.dk")
    )
    assert _problems(text, tmp_path) == [
        "scale: must go up, each point once, got 3, 2, 1",
        "items[1].title.en: missing",
        "items[2].key: a second item first",
        "items[2].anchors.2.dk: unknown key; the keys here are: da, en",
        "items[2].anchors.2.da: missing",
    ]


def test_a_refusal_is_translated() -> None:
    text = _changed('title.en = "First"\n', "").replace('title.da = "Anden"', 'titel.da = "Anden"')
    with pytest.raises(RubricError) as raised:
        rubric.loads(text, "mit.toml")
    danish = raised.value.text("da").splitlines()
    assert danish[0] == "mit.toml: items[1].title.en: mangler"
    assert danish[1].startswith("mit.toml: items[2].titel: ukendt nøgle")
    again = pickle.loads(pickle.dumps(raised.value))
    assert again.problems == raised.value.problems and str(again) == str(raised.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(VALID.encode("latin-1"))
    with pytest.raises(RubricError, match=r"latin1\.toml: -: not UTF-8 text"):
        rubric.load(path)


def test_json_round_trip_is_exact() -> None:
    for original in (rubric.default(), rubric.loads(VALID, "v.toml")):
        data = rubric.to_json(original)
        stored = json.loads(json.dumps(data, ensure_ascii=False))
        assert stored == data
        back = rubric.from_json(stored)
        assert back == original
        assert rubric.to_json(back) == data
    assert rubric.to_json(rubric.default())["items"][0]["anchors"]["1"]["en"].startswith(
        "The case is barely informed"
    )


def test_json_is_checked_like_a_file() -> None:
    data = rubric.to_json(rubric.default())
    data["scale"] = [1, 2, 3]
    data["items"][1]["key"] = "information"
    with pytest.raises(RubricError) as raised:
        rubric.from_json(data, "design 7")
    said = str(raised.value)
    assert "design 7: items[2].key: a second item information" in said
    # the anchors of points 4 and 5 of every item are off the new scale
    assert said.count("not a point on the scale (1, 2, 3)") == 10
    with pytest.raises(RubricError, match="design 8: -: must be a table of keys and values"):
        rubric.from_json([1, 2], "design 8")


def test_a_rubric_of_its_own_on_a_0_to_3_scale() -> None:
    own = rubric.loads(
        """\
name.da = "Opfølgning"
name.en = "Follow-up"
scale = [0, 1, 2, 3]

[[items]]
key = "medical_follow_up_2"
title.da = "Lægelige oplysninger"
title.en = "Medical information"
question.da = "Følges der op inden for en uge?"
question.en = "Is it followed up within a week?"
anchors.0.da = "Ingen opfølgning"
anchors.0.en = "No follow-up"
anchors.3.da = "Samme dag"
anchors.3.en = "The same day"
""",
        "own.toml",
    )
    assert isinstance(own, Rubric)
    assert (own.lowest, own.highest) == (0, 3)
    item = own.item("medical_follow_up_2")
    assert item.anchor_in(0, "da") == "Ingen opfølgning"
    assert item.anchor_in(1, "en") is None
    assert rubric.from_json(rubric.to_json(own)) == own
