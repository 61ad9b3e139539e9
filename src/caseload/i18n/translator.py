"""One reader's translator: gettext from the compiled catalogue, numbers, money and dates
from Babel in the reader's locale."""

from __future__ import annotations

import gettext as _gettext
import io
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

from caseload.i18n.message import Message

DOMAIN = "caseload"
LOCALES: Mapping[str, str] = {"en": "en_GB", "da": "da_DK"}
"""The Babel locale of each language. English readers get en_GB, not en_DK: en_GB writes
1,234.5 and 6 Dec 2026, as the English output has always written numbers, while CLDR's en_DK
mixes English words with Danish number marks (1.234,5), which an English reader misreads.
en_US would put the month first, which no one in a Danish job centre expects."""

Number = int | float | Decimal

DASH = "–"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
"""A day as code and files write it (2019-06-30)."""
"""What a table shows where there is no value."""


def _catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled .mo for ``lang``; if it was never built (``pip install -e .`` without
    ``make``) or is older than the .po (edited since), the .po read with Babel and compiled
    in memory, so nothing breaks. English is the msgids themselves."""
    if lang == "en":
        return _gettext.NullTranslations()
    folder = resources.files("caseload").joinpath("locale", lang, "LC_MESSAGES")
    mo, po = folder.joinpath(f"{DOMAIN}.mo"), folder.joinpath(f"{DOMAIN}.po")
    if mo.is_file() and not _newer(po, mo):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if not po.is_file():
        return _gettext.NullTranslations()
    return from_po(po, lang)


def from_po(po: Traversable, lang: str) -> _gettext.GNUTranslations:
    """A .po file compiled in memory (fuzzy translations left out, as in a .mo)."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _newer(a: Traversable, b: Traversable) -> bool:
    """Whether file ``a`` was changed after ``b`` (False where there are no file times)."""
    if not (isinstance(a, Path) and isinstance(b, Path) and a.is_file()):
        return False
    return a.stat().st_mtime > b.stat().st_mtime


def _filled(text: str, params: Mapping[str, Any], locale: Locale) -> str:
    if not params:
        return text
    return text.format(**{k: _in(locale, v) for k, v in params.items()})


def _in(locale: Locale, value: Any) -> Any:
    """A number parameter that formats itself with the locale's marks; anything else as it
    is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return _LocalNumber(value, get_decimal_symbol(locale), get_group_symbol(locale))


class _LocalNumber:
    """A number in a msgid's placeholder: ``{load:g}``, ``{rows:,}`` and ``{p:.2f}`` keep
    their format spec but write the locale's decimal and grouping marks (``41,5``,
    ``8.500``). A whole number without a spec stays as it is (a year, a seed, a row)."""

    def __init__(self, value: int | float | Decimal, decimal: str, group: str) -> None:
        self.value, self.marks = value, str.maketrans({".": decimal, ",": group})

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).translate(self.marks)

    def __str__(self) -> str:
        return format(self, "")

    def __repr__(self) -> str:
        return repr(self.value)


_Day = date | datetime
"""A day as the methods take it (``date`` inside the class is the method of that name)."""
DATES_KEPT = 8192
"""Days whose text each translator keeps (about a million characters at most)."""


class Translator:
    """Translate for one reader: ``tr.gettext("Caseloads on {day}", day=day)``.

    Every method fills ``{name}`` placeholders from keyword parameters with
    :meth:`str.format` (so ``{load:g}`` works); without parameters the text is returned
    as it is.
    """

    def __init__(self, lang: str) -> None:
        if lang not in LOCALES:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LOCALES)}")
        self.lang = lang
        self.locale = Locale.parse(LOCALES[lang])
        self._catalogue = _catalogue(lang)
        # a day's text never changes: a page of 50 citizens shows some 150 days, and Babel
        # takes ~15 us for each
        self._date_text = lru_cache(maxsize=DATES_KEPT)(self._format_date)

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"

    # text
    def gettext(self, msgid: str, /, **params: Any) -> str:
        return _filled(self._catalogue.gettext(msgid), params, self.locale)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """The singular or plural form for ``n``; ``{n}`` is filled with ``n`` unless
        given."""
        return _filled(
            self._catalogue.ngettext(singular, plural, n), {"n": n, **params}, self.locale
        )

    def pgettext(self, context: str, msgid: str, /, **params: Any) -> str:
        """``msgid`` in ``context``: for one English word that needs two Danish ones."""
        return _filled(self._catalogue.pgettext(context, msgid), params, self.locale)

    def message(self, m: Message, plain: bool = False) -> str:
        """A deferred message in this reader's language (nested messages too), a day in it
        (a date, or a text holding an ISO day) in the locale's form; ``plain`` keeps days
        as they are (``str(m)``: logs, files for machines)."""
        params = {k: self._param(v, plain) for k, v in m.params.items()}
        return self.gettext(m.msgid, **params)

    def _param(self, value: Any, plain: bool) -> Any:
        if isinstance(value, Message):
            return self.message(value, plain)
        if plain:
            return value
        if isinstance(value, date):
            return self.date(value)
        if isinstance(value, str) and ISO_DAY.fullmatch(value):
            try:
                return self.date(date.fromisoformat(value))
            except ValueError:  # 2019-02-30: shown as the user wrote it
                return value
        return value

    # numbers, money and dates in the reader's locale
    def number(self, value: Number, digits: int | None = None) -> str:
        """``value`` with the locale's grouping and decimal marks; ``digits`` fixes the
        number of decimals."""
        if digits is None:
            return format_decimal(value, locale=self.locale)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: Number, digits: int = 0) -> str:
        """``share`` (0.25) as a percentage (25 %, 25%)."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
        if self.lang == "en":
            pattern = pattern.replace(" %", "%")
        return format_percent(share, format=pattern, locale=self.locale)

    def money(self, amount: Number, digits: int = 0) -> str:
        """Danish kroner: ``12.345 kr.`` in Danish, ``DKK 12,345`` in English."""
        if self.lang == "en":
            return f"DKK {self.number(amount, digits)}"
        return format_currency(
            amount,
            "DKK",
            format="#,##0" + ("." + "0" * digits if digits else "") + " ¤",
            locale=self.locale,
            currency_digits=False,
        )

    def date(self, day: date | datetime | str | None, format: str = "medium") -> str:
        """``day`` in the locale's own form (``format`` is Babel's: short, medium, long,
        full, or a pattern): ``6. dec. 2026``, ``6 Dec 2026``. What users read always uses
        the medium form; an ISO text (a day carried in a JSON-able summary) is read first;
        no day is a dash."""
        if day is None:
            return DASH
        if isinstance(day, str):
            day = date.fromisoformat(day)
        return self._date_text(day, format)

    def _format_date(self, day: _Day, format: str) -> str:
        return format_date(day, format=format, locale=self.locale)

    def count(self, n: int | None) -> str:
        """A whole number with the locale's grouping (``8.500``, ``8,500``)."""
        return DASH if n is None else self.number(n, 0)

    def decimal(self, value: Number | None, digits: int = 1) -> str:
        """``value`` with ``digits`` decimals (``1,47``); no value (or not a number) is a
        dash."""
        if value is None or not math.isfinite(value):
            return DASH
        return self.number(value, digits)

    def signed(self, value: Number | None, digits: int = 1) -> str:
        """``value`` with its sign always shown (``+1,5``, ``-0,3``): a difference."""
        if value is None or not math.isfinite(value):
            return DASH
        body = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=f"+{body};-{body}", locale=self.locale)

    def share(self, value: Number | None, digits: int = 1) -> str:
        """A share (0.896) as a percentage with ``digits`` decimals (``89,6 %``), or a
        dash."""
        if value is None or not math.isfinite(value):
            return DASH
        return self.percent(value, digits)

    def pp(self, value: Number | None, digits: int = 1, sign: bool = True) -> str:
        """A difference of two shares (0.015) in percentage points, signed unless ``sign``
        is False: ``+1,5 pct.-point``, ``+1.5 pp``."""
        if value is None or not math.isfinite(value):
            return DASH
        shown = self.signed(100 * value, digits) if sign else self.number(100 * value, digits)
        return self.gettext("{value} pp", value=shown)

    def pvalue(self, p: Number | None) -> str:
        """A p-value as a table shows it: ``< 0,001`` below 0.001, else three decimals."""
        if p is None or not math.isfinite(p):
            return DASH
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3)

    def p(self, p: Number | None) -> str:
        """A p-value in a sentence: ``p < 0,001`` or ``p = 0,023``."""
        shown = self.pvalue(p)
        return "p " + (shown if shown.startswith("<") else "= " + shown)

    def money_scaled(self, *amounts: Number) -> tuple[str, list[str]]:
        """Amounts of kroner on one scale for them all: millions from one million, thousands
        from ten thousand, else whole kroner. Returns the unit's pattern (``{amount}`` in
        it) and each amount's number, so ``unit.format(amount=numbers[0])`` reads
        ``18,0 mio. kr.`` or ``DKK 18.0 million``."""
        largest = max((abs(float(a)) for a in amounts), default=0.0)
        if largest >= 1_000_000:
            unit, divisor, digits = self.gettext("DKK {amount} million"), 1_000_000, 1
        elif largest >= 10_000:
            unit, divisor, digits = self.gettext("DKK {amount} thousand"), 1_000, 0
        else:
            unit, divisor, digits = self.money(0).replace("0", "{amount}", 1), 1, 0
        return unit, [self.number(a / divisor, digits) for a in amounts]

    def money_interval(self, estimate: Number, low: Number, high: Number) -> str:
        """A sum of money beside its 95 % interval, on one scale:
        ``18,0 mio. kr. (95 %-KI 12,1 til 23,9 mio. kr.)``, ``DKK 18.0 million (95 % CI
        12.1 to DKK 23.9 million)``."""
        unit, (e, lo, hi) = self.money_scaled(estimate, low, high)
        return self.gettext(
            "{estimate} (95 % CI {low} to {high})",
            estimate=unit.format(amount=e),
            low=lo,
            high=unit.format(amount=hi),
        )

    def interval(self, low: str, high: str) -> str:
        """An interval of two numbers already formatted: ``(1,2; 3,4)`` in Danish,
        ``(1.2; 3.4)`` in English (a semicolon, as a comma is the Danish decimal mark)."""
        return f"({low}; {high})"


@cache
def translator(lang: str) -> Translator:
    """The translator for ``lang`` ("en" or "da"); catalogues are read once per process."""
    return Translator(lang)
