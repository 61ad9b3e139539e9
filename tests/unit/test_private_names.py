"""No module imports another module's private names (a leading underscore): a face, a
command or a page uses the services docs/architecture.md lists, so a module can change its
helpers without reading the rest of the code."""

from __future__ import annotations

import ast
from pathlib import Path

import caseload

PACKAGE = Path(caseload.__file__).resolve().parent


def private_imports(source: str) -> list[str]:
    """``module.name`` for each private name imported from caseload in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("caseload"):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_module_imports_a_private_name() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the whole package was read
    offending = {
        str(path.relative_to(PACKAGE)): hits
        for path in modules
        if (hits := private_imports(path.read_text(encoding="utf-8")))
    }
    assert offending == {}


def test_the_check_finds_a_private_import() -> None:
    assert private_imports("from caseload.register.tables import CITIZEN, _code\n") == [
        "caseload.register.tables._code"
    ]
    assert private_imports("from caseload.register.spec import code_field\n") == []
    assert private_imports("from __future__ import annotations\n") == []
