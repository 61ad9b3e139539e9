"""The canonical JSON a plan's fingerprint hashes: one text for one content, whatever the
order of keys, with days as ISO days."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from caseload.operate.fingerprint import canonical


def test_canonical_json_sorts_keys_and_writes_iso_days() -> None:
    one = {"b": [1, 0.5, None], "a": {"day": date(2024, 6, 3), "at": datetime(2024, 6, 3, 9, 30)}}
    other = {"a": {"at": datetime(2024, 6, 3, 9, 30), "day": date(2024, 6, 3)}, "b": [1, 0.5, None]}
    assert (
        canonical(one)
        == canonical(other)
        == (b'{"a":{"at":"2024-06-03T09:30:00","day":"2024-06-03"},"b":[1,0.5,null]}')
    )
    assert canonical({"district": "Nørrebro"}) == '{"district":"Nørrebro"}'.encode()
    assert len(hashlib.sha256(canonical(one)).hexdigest()) == 64
