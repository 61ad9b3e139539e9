"""Timestamps as stored: UTC, without a zone (the columns are plain DateTime)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
