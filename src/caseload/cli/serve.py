"""``caseload serve``: the API on a register, run by uvicorn (one or several workers)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from caseload.cli.common import (
    DbOption,
    HostOption,
    LangOption,
    PortOption,
    errors,
    fail,
    help_text,
    lang_of,
    open_register,
    optional_day,
)
from caseload.i18n import translator
from caseload.serve.settings import Settings
from caseload.store.database import describe


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            max=64,
            help=help_text("Worker processes (several need PostgreSQL's many writers to help)"),
        ),
    ] = 1,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DAY",
            help=help_text("Read caseloads on this day, YYYY-MM-DD (default: each day's date)"),
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            metavar="ADDRESS",
            help=help_text("A reverse proxy whose X-Forwarded-For is believed (repeatable)"),
        ),
    ] = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies", help=help_text("Mark cookies Secure (when served over HTTPS)")
        ),
    ] = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Serve the web app and the JSON API on a register (uvicorn; several workers on
    PostgreSQL) until Ctrl-C."""
    language = lang_of(lang)
    for address in trusted_proxy or ():
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise fail(
                translator(language).gettext(
                    "--trusted-proxy {address}: not an IP address or network (such as "
                    "10.0.0.5 or 10.0.0.0/24)",
                    address=address,
                )
            ) from None
    engine = open_register(db, language)
    where = describe(engine)
    engine.dispose()
    settings = Settings(
        db=db,
        register_day=optional_day(as_of, "--as-of", language),
        trusted_proxies=tuple(trusted_proxy or ()),
        secure_cookies=secure_cookies,
        default_lang=language,
    )
    run(settings, where, host, port, workers, language)


def run(settings: Settings, where: str, host: str, port: int, workers: int, language: str) -> None:
    """Serve ``settings``' register with uvicorn until Ctrl-C (``caseload serve`` and
    ``caseload demo --serve``)."""
    import uvicorn

    from caseload.serve.main import ENV, to_environment

    os.environ[ENV] = to_environment(settings)
    _ = translator(language).gettext
    errors.print(
        _(
            "Serving {register} on http://{host}:{port} ({n} worker(s)): the web app at /, "
            "the API under /api/v1, its description at /openapi.json. Ctrl-C stops it.",
            register=where,
            host=host,
            port=port,
            n=workers,
        ),
        markup=False,
        highlight=False,
    )
    uvicorn.run(
        "caseload.serve.main:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
