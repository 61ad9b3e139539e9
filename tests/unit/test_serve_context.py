"""Per-request context: the client's address (X-Forwarded-For only from a trusted proxy)
and the reader's language from Accept-Language."""

from __future__ import annotations

from typing import get_args

from starlette.requests import Request

from caseload.domain import codes
from caseload.serve import models
from caseload.serve.context import client_address, language
from caseload.serve.settings import Settings


def _request(peer: str, **headers: str) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "client": (peer, 5000), "headers": raw})


def test_forwarded_for_is_ignored_without_a_trusted_proxy() -> None:
    request = _request("10.0.0.5", x_forwarded_for="203.0.113.9")
    assert client_address(request, Settings()) == "10.0.0.5"


def test_forwarded_for_from_a_trusted_proxy_gives_the_nearest_untrusted_hop() -> None:
    settings = Settings(trusted_proxies=("10.0.0.0/24",))
    chain = "198.51.100.7, 203.0.113.9, 10.0.0.4"  # a spoofed first hop, the client, a proxy
    assert client_address(_request("10.0.0.5", x_forwarded_for=chain), settings) == "203.0.113.9"
    assert client_address(_request("192.0.2.1", x_forwarded_for=chain), settings) == "192.0.2.1"


def test_language_by_weight_then_order() -> None:
    assert language(_request("1.1.1.1", accept_language="en;q=0.5, da"), "en") == "da"
    assert language(_request("1.1.1.1", accept_language="da-DK, en"), "en") == "da"
    assert language(_request("1.1.1.1", accept_language="de, fr;q=0.9"), "en") == "en"
    assert language(_request("1.1.1.1", accept_language="da;q=0, en"), "da") == "en"
    assert language(_request("1.1.1.1"), "da") == "da"


def test_the_api_types_name_the_code_lists() -> None:
    assert get_args(models.MeetingKind) == codes.MEETING_KINDS
    assert get_args(models.MeetingPlace) == codes.MEETING_PLACES
    assert get_args(models.MeetingStatus) == codes.MEETING_STATUSES
    assert get_args(models.Role) == codes.ROLES
    assert get_args(models.ContactReason) == tuple(
        r for r in codes.RESPONSIBILITY_REASONS if r != "intake"
    )
