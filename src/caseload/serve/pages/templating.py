"""The web app's pages from Jinja2 templates (``serve/templates``), in the reader's
language: one environment per language, with the translator's ``_`` and the locale's
numbers and dates (``caseload.i18n.template_globals``), ``label`` for the register's codes
in words, ``static`` for the app's own assets (htmx, CSS: nothing from a CDN), and the
caller's CSRF token for every form.

A page and its htmx partial come from one template: ``fragment`` renders one named block
of it (Jinja2's own ``Template.blocks``), so a page works without JavaScript and updates in
place with it."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from caseload.domain.labels import label
from caseload.i18n import template_globals, translator

STATIC = files("caseload.serve") / "static"


@cache
def _environment(lang: str) -> jinja2.Environment:
    tr = translator(lang)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.serve", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(template_globals(tr))
    env.globals["label"] = lambda code: label(code, lang)
    env.globals["static"] = static_url
    env.globals["lang"] = lang
    return env


@cache
def static_url(name: str) -> str:
    """The asset's address with a fingerprint of its content, so browsers may keep it."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def html(lang: str, template: str, context: dict[str, Any]) -> str:
    return _environment(lang).get_template(template).render(context)


def fragment(lang: str, template: str, block: str, context: dict[str, Any]) -> str:
    """One block of ``template``, rendered with the page's own context."""
    found = _environment(lang).get_template(template)
    return "".join(found.blocks[block](found.new_context(context)))


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The whole page; or, for an htmx request (``HX-Request``) that names ``block``, that
    block alone."""
    lang = str(context["lang"])
    partial = request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted")
    if block is not None and partial:
        return HTMLResponse(fragment(lang, template, block, context), status_code)
    return HTMLResponse(html(lang, template, context), status_code)
