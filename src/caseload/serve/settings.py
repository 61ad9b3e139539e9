"""How one server runs: its register, the day it reads caseloads on, who is trusted to say
a client's address, and the limits of sessions and uploads."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import date, timedelta

from caseload.access.throttle import Limits


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    """A SQLite path or a PostgreSQL URL (as ``--db``)."""
    register_day: date | None = None
    """The day caseloads, scopes and due dates are read on; None: today (the demo is served
    on a fixed day inside its data)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses (or networks) of reverse proxies whose ``X-Forwarded-For`` is believed."""
    secure_cookies: bool = False
    """Mark cookies Secure (behind HTTPS); off for plain http on loopback."""
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=10)
    upload_limit: int = 50 * 1024 * 1024
    """Bytes an import upload may have."""
    login_limits: Limits = field(default_factory=Limits)
    default_lang: str = "da"
    evaluation_kept: timedelta = timedelta(minutes=5)
    """How long a trial's evaluation is kept and served again (the dashboard, its report and
    downloads) before the next reader has it run again on the register; 0: never kept."""

    def today(self) -> date:
        return self.register_day or date.today()

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.trusted_proxies)
