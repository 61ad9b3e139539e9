"""What a Jinja template gets to translate with (without importing Jinja here).

Templates call ``{{ _("Evaluation of {name}", name=ev.trial.name) }}``: newstyle gettext
(keyword parameters, filled by the function, autoescaped on output like any other value),
but with the same ``{name}`` placeholders as the Python code, so one msgid serves both.
Jinja's own ``install_gettext_callables(newstyle=True)`` would fill ``%(name)s`` and choke
on a literal ``%`` ("95 % CI"), so the callables are put in the environment's globals
directly. ``{% trans %}`` blocks are not used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caseload.i18n.translator import Translator


def template_globals(tr: Translator) -> dict[str, Callable[..., Any]]:
    """``_``, ``gettext``, ``ngettext``, ``pgettext`` and ``message`` for ``env.globals``,
    plus the locale's ``number``, ``percent``, ``money`` and ``date``, and what tables and
    findings use: ``count``, ``decimal``, ``signed``, ``share``, ``pp`` (percentage points),
    ``pvalue`` (``< 0,001``), ``p`` (``p < 0,001``) and ``money_interval``."""
    return {
        "_": tr.gettext,
        "gettext": tr.gettext,
        "ngettext": tr.ngettext,
        "pgettext": tr.pgettext,
        "message": tr.message,
        "number": tr.number,
        "percent": tr.percent,
        "money": tr.money,
        "date": tr.date,
        "count": tr.count,
        "decimal": tr.decimal,
        "signed": tr.signed,
        "share": tr.share,
        "pp": tr.pp,
        "pvalue": tr.pvalue,
        "p": tr.p,
        "money_interval": tr.money_interval,
    }
