"""What users read, in Danish or English: gettext catalogues managed with Babel.

Code, logs and msgids stay English: a msgid *is* the English text, with ``{name}``
placeholders filled by :meth:`str.format`. The Danish lives in
``caseload/locale/da/LC_MESSAGES/caseload.po`` (see "Translating" in docs/architecture.md).

There is no process-global ``install()``: a web app serves both languages at once, so each
caller asks for a :class:`Translator` for its reader (``tr = translator(lang)``) and passes
it (or the language) down. Things made before the reader's language is known (import
problems, refusals) carry a :class:`Message` and are rendered later by ``tr.message(m)``;
``str(m)`` is the English. An error a user reads is a :class:`Said`: it carries its
``message``, and ``str(error)`` is the English.

This package imports no framework (no Typer, SQLAlchemy or Jinja): the domain, register,
operate, evaluate and cli layers all use it.
"""

from __future__ import annotations

import os

from caseload.i18n.message import N_, Message
from caseload.i18n.said import Said
from caseload.i18n.templates import template_globals
from caseload.i18n.translator import LOCALES, Translator, translator

__all__ = [
    "LANGS",
    "LOCALES",
    "N_",
    "Message",
    "Said",
    "Translator",
    "default_lang",
    "template_globals",
    "translator",
]

LANGS = ("en", "da")


def default_lang() -> str:
    """The language from ``CASELOAD_LANG`` ("en" or "da"); English otherwise."""
    lang = os.environ.get("CASELOAD_LANG", "en")
    return lang if lang in LANGS else "en"
