"""schemathesis over the app's own /openapi.json, in-process (ASGI), on SQLite and
PostgreSQL: for every operation, as each role, generated requests never make a server
error, and every answer conforms to the document (status documented, content type, body
schema). The examples per operation are few, to keep the budget; scripts may run more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from caseload.access import accounts, tokens
from caseload.serve.app import create_app
from caseload.serve.settings import Settings
from tests.api import DAY, examples_with_accounts, url_of
from tests.conftest import CopyOf

EXAMPLES_PER_OPERATION = 12
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # a request the schema allows may still meet the register's rules or someone
            # else's edit: refused by the rules (409), a stale case version (412), not in
            # the caller's scope (404); never a server error or an undocumented answer
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429"]
            }
        },
        # the admin's writes also meet rules no schema says: a weak password, a taken
        # username, a wrong current password (400); a file's or rows' contents refused by
        # the import (422), its suffix (415) or size (413)
        "operations": [
            {
                "include-path-regex": "^/api/v1/(accounts|imports|register|me/password)",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [
                            *["2xx", "3xx", "400", "401", "403", "404", "409", "412"],
                            *["413", "415", "422", "429"],
                        ]
                    }
                },
            }
        ],
    }
)


def test_every_operation_conforms(register_copy: CopyOf) -> None:
    engine = register_copy(examples_with_accounts)
    with engine.begin() as conn:
        made = {
            role: tokens.issue(conn, accounts.by_username(conn, role), "schema")[1]  # type: ignore[arg-type]
            for role in ("caseworker", "leader", "admin")
        }
    app = create_app(Settings(db=url_of(engine), register_day=DAY, default_lang="en"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for role, token in made.items():
            try:
                _examples(operation, {"Authorization": f"Bearer {token}"})()
            except Exception as error:  # collect every operation's failure, then report all
                failures.append(f"{role} {operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)


def _examples(operation: Any, headers: dict[str, str]) -> Callable[[], None]:
    """A Hypothesis test of one operation: generated requests, each answer validated."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response)

    return check  # type: ignore[no-any-return]
