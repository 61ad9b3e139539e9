"""The CPR hashing key: keygen."""

from __future__ import annotations

import sys

from caseload.cli.common import LangOption, errors, lang_of
from caseload.domain import cpr
from caseload.i18n import translator
from caseload.register.rules import CPR_KEY_ENV


def keygen(lang: LangOption = "") -> None:
    """Make a key for hashing CPR numbers (CASELOAD_CPR_KEY), and say where to keep it."""
    # the key (32 random bytes, hexadecimal) on standard output and the advice on standard
    # error, so that `caseload keygen > key` holds only the key
    t = translator(lang_of(lang))
    sys.stdout.write(cpr.new_key() + "\n")
    errors.print(
        t.gettext(
            "Set it as {name} for every caseload command that imports CPR numbers. Keep it "
            "outside the database, in the municipality's secret store: with the key, a stored "
            "hash, the birth date and the sex leave only about 3,000 candidate CPR numbers. "
            "Without it no CPR number can be matched to the register again: keep a copy.",
            name=CPR_KEY_ENV,
        ),
        highlight=False,
    )
