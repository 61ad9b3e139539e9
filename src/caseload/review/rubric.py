"""The rubric a case review scores against: items (themes of case work), each with a title,
a question and an anchor text per point of a shared scale, all in Danish and English.

``default()`` is the shipped rubric (``review/rubric.toml``, seed 002's five themes);
``load(path)`` and ``loads(text, source)`` read a job centre's own TOML file in the same
schema; ``to_json`` and ``from_json`` store a rubric with a review's design and read it back
unchanged. A rubric that cannot be used raises :class:`RubricError` with every problem found,
each as ``FILE: KEY: REASON`` (``items[2].anchors.6: not a point on the scale ...``);
items are counted from 1, as in ``plan/config.py``.

The schema::

    name.da = "..."            # and name.en
    scale = [1, 2, 3, 4, 5]    # whole numbers, ascending, 2 to 11 points

    [[items]]                  # one or more
    key = "information"        # snake_case, unique
    title.da = "..."           # and title.en
    question.da = "..."        # and question.en

    [items.anchors]            # optional, per scale point
    1.da = "..."
    1.en = "..."
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

from caseload.i18n import Message, Said

LANGS = ("da", "en")
"""Every text of a rubric is written in both; a reviewer reads the rubric in either."""
FEWEST_POINTS, MOST_POINTS = 2, 11
"""A scale needs two points to score anything; 0-10 is the longest scale in common use."""
KEY = re.compile(r"[a-z][a-z0-9_]*")
POINT = re.compile(r"-?(0|[1-9][0-9]*)")
"""An anchor's point as TOML and JSON write it: a key is a text, so ``6`` arrives as "6"."""
KEYS: dict[str, tuple[str, ...]] = {
    "rubric": ("name", "scale", "items"),
    "item": ("key", "title", "question", "anchors"),
}
"""Every key the schema knows, per table (a text's table knows the languages)."""

Texts = dict[str, str]
"""One text in each language: ``{"da": ..., "en": ...}``."""


def _in(texts: Texts, lang: str) -> str:
    if lang not in texts:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(texts)}")
    return texts[lang]


@dataclass(frozen=True)
class Item:
    """One theme of case work a reviewer scores."""

    key: str
    title: Texts
    question: Texts
    anchors: dict[int, Texts] = field(default_factory=dict)
    """What the work looks like at a point of the scale; a point may have none."""

    def title_in(self, lang: str) -> str:
        return _in(self.title, lang)

    def question_in(self, lang: str) -> str:
        return _in(self.question, lang)

    def anchor_in(self, score: int, lang: str) -> str | None:
        texts = self.anchors.get(score)
        return None if texts is None else _in(texts, lang)


@dataclass(frozen=True)
class Rubric:
    """The items of a review and the scale every item is scored on."""

    name: Texts
    scale: tuple[int, ...]
    items: tuple[Item, ...]

    def name_in(self, lang: str) -> str:
        return _in(self.name, lang)

    def item(self, key: str) -> Item:
        """The item of ``key``; a KeyError when there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    @property
    def lowest(self) -> int:
        return self.scale[0]

    @property
    def highest(self) -> int:
        return self.scale[-1]


class RubricError(Said, ValueError):
    """A rubric that cannot be used: every problem found, each ``FILE: KEY: REASON``.

    ``problems`` holds one message per problem (a page can list them); ``message`` and
    ``str(error)`` give them all, one a line.
    """

    def __init__(self, problems: Sequence[Message]) -> None:
        if not problems:
            raise ValueError("a RubricError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(_joined(self.problems))
        self.args = (self.problems,)  # so the error pickles whole


def _joined(problems: Sequence[Message]) -> Message:
    """The problems one a line, each translated: halved, so nesting stays shallow."""
    if len(problems) == 1:
        return problems[0]
    half = len(problems) // 2
    return Message(
        "{first}\n{rest}", {"first": _joined(problems[:half]), "rest": _joined(problems[half:])}
    )


def _refused(source: str, key: str, reason: Message) -> Message:
    """One problem in the form of every refusal (as ``plan.workload.refused``)."""
    return Message("{file}: {key}: {reason}", {"file": source, "key": key, "reason": reason})


_MISSING = object()
"""A required key the table does not have (already reported)."""


class _Checker:
    """Checks one rubric's values, collecting every problem with the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Message] = []

    def problem(self, key: str, reason: Message) -> None:
        self.problems.append(_refused(self.source, key, reason))

    def table(
        self, value: Any, key: str, known: tuple[str, ...] | None
    ) -> Mapping[str, Any] | None:
        """``value`` if it is a table, naming each key not in ``known`` (None: any key)."""
        if not isinstance(value, Mapping):
            self.problem(key or "-", Message("must be a table of keys and values"))
            return None
        for name in value:
            if known is not None and name not in known:
                self.problem(
                    _at(key, str(name)),
                    Message("unknown key; the keys here are: {known}", {"known": ", ".join(known)}),
                )
        return value

    def get(self, table: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in table:
            self.problem(_at(key, name), Message("missing"))
            return _MISSING
        return table[name]

    def texts(self, value: Any, key: str) -> Texts | None:
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):  # e.g. title = "..." with no language
            self.problem(
                key,
                Message("must be a text in each language: {langs}", {"langs": ", ".join(LANGS)}),
            )
            return None
        table = self.table(value, key, LANGS)
        if table is None:
            return None
        out: Texts = {}
        for lang in LANGS:
            text = self.get(table, lang, key)
            if text is _MISSING:
                continue
            if not isinstance(text, str) or not text.strip():
                self.problem(
                    _at(key, lang), Message("must be a text, got {value}", {"value": repr(text)})
                )
                continue
            out[lang] = text
        return out if len(out) == len(LANGS) else None

    def scale(self, value: Any) -> list[int] | None:
        """The scale's whole numbers (to check anchors against, even when the scale is
        refused), or None where there is no list."""
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.problem("scale", Message("must be a list"))
            return None
        points = []
        for k, point in enumerate(value, start=1):
            if isinstance(point, bool) or not isinstance(point, int):
                self.problem(
                    f"scale[{k}]",
                    Message("must be a whole number, got {value}", {"value": repr(point)}),
                )
            else:
                points.append(point)
        whole = len(points) == len(value)  # else the order of what is left means nothing
        if whole and any(a >= b for a, b in pairwise(points)):
            self.problem(
                "scale",
                Message(
                    "must go up, each point once, got {value}",
                    {"value": ", ".join(str(p) for p in points)},
                ),
            )
        if not FEWEST_POINTS <= len(value) <= MOST_POINTS:
            self.problem(
                "scale",
                Message(
                    "must have from {fewest} to {most} points, got {count}",
                    {"fewest": FEWEST_POINTS, "most": MOST_POINTS, "count": len(value)},
                ),
            )
        return points

    def items(self, value: Any, scale: list[int] | None) -> list[Item]:
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem("items", Message("must be a list"))
            return []
        if not value:
            self.problem("items", Message("must hold at least one item"))
        out: list[Item] = []
        seen: set[str] = set()
        for k, raw in enumerate(value, start=1):
            key = f"items[{k}]"
            table = self.table(raw, key, KEYS["item"])
            if table is None:
                continue
            item_key = self.item_key(self.get(table, "key", key), f"{key}.key", seen)
            title = self.texts(self.get(table, "title", key), f"{key}.title")
            question = self.texts(self.get(table, "question", key), f"{key}.question")
            anchors = self.anchors(table.get("anchors", {}), f"{key}.anchors", scale)
            if item_key is not None and title is not None and question is not None:
                out.append(Item(item_key, title, question, anchors))
        return out

    def item_key(self, value: Any, key: str, seen: set[str]) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not KEY.fullmatch(value):
            self.problem(
                key,
                Message(
                    "must be a key in snake_case (a lowercase letter, then lowercase letters, "
                    "digits or _), got {value}",
                    {"value": repr(value)},
                ),
            )
            return None
        if value in seen:
            self.problem(key, Message("a second item {name}", {"name": value}))
            return None
        seen.add(value)
        return value

    def anchors(self, value: Any, key: str, scale: list[int] | None) -> dict[int, Texts]:
        table = self.table(value, key, None)  # each point is checked below
        out: dict[int, Texts] = {}
        for name, texts in (table or {}).items():
            at = _at(key, str(name))
            point = _point(name)
            if point is None or (scale is not None and point not in scale):
                self.problem(
                    at,
                    Message(
                        "not a point on the scale ({scale})",
                        {"scale": ", ".join(str(p) for p in scale or ())},
                    ),
                )
            checked = self.texts(texts, at)
            if point is not None and checked is not None:
                out[point] = checked
        return dict(sorted(out.items()))


def _at(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _point(name: Any) -> int | None:
    """An anchor's key as a point: "6" from TOML or JSON, 6 from Python."""
    if isinstance(name, int) and not isinstance(name, bool):
        return name
    if isinstance(name, str) and POINT.fullmatch(name):
        return int(name)
    return None


def from_json(data: Any, source: str = "rubric") -> Rubric:
    """The rubric in ``data`` (as ``to_json`` writes it, or a TOML file's tables), checked as
    ``loads`` checks a file; ``source`` names it in every problem."""
    check = _Checker(source)
    table = check.table(data, "", KEYS["rubric"])
    if table is None:
        raise RubricError(check.problems)
    name = check.texts(check.get(table, "name", ""), "name")
    scale = check.scale(check.get(table, "scale", ""))
    items = check.items(check.get(table, "items", ""), scale)
    if check.problems or name is None or scale is None:
        raise RubricError(check.problems)
    return Rubric(name, tuple(scale), tuple(items))


def to_json(rubric: Rubric) -> dict[str, Any]:
    """``rubric`` as plain JSON (an anchor's point as a text key); ``from_json`` reads it
    back equal."""
    return {
        "name": dict(rubric.name),
        "scale": list(rubric.scale),
        "items": [
            {
                "key": item.key,
                "title": dict(item.title),
                "question": dict(item.question),
                "anchors": {str(point): dict(texts) for point, texts in item.anchors.items()},
            }
            for item in rubric.items
        ],
    }


def loads(text: str, source: str) -> Rubric:
    """The rubric in ``text`` (TOML), ``source`` naming it in every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # its text ends "(at line 3, column 9)"
        reason = Message("not TOML: {reason}", {"reason": str(error)})
        raise RubricError([_refused(source, "-", reason)]) from None
    return from_json(data, source)


def load(path: Path) -> Rubric:
    """The rubric in the TOML file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RubricError([_refused(str(path), "-", Message("not UTF-8 text"))]) from None
    return loads(text, str(path))


def default() -> Rubric:
    """The shipped rubric: seed 002's five themes on a 1-5 scale."""
    text = files(__package__).joinpath("rubric.toml").read_text(encoding="utf-8")
    return loads(text, "review/rubric.toml")
