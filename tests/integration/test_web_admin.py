"""The admin in a real browser, on SQLite and PostgreSQL: adds an account, finds the new
user's sign-in in the audit trail, imports a file with a mistake (the problem named by
row and column, nothing imported) and then a right one; a caseworker is refused the
admin's pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from caseload.store import schema as s
from tests.api import PASSWORD
from tests.web import served, sign_in

NEW_PASSWORD = "a long new passphrase for nina"


def test_the_admin_adds_a_user_and_finds_the_login_in_the_audit(
    api_register: Engine, browser: Any, tmp_path: Path
) -> None:
    with served(api_register) as site:
        admin = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(admin, site, "admin", PASSWORD)
        assert admin.url.endswith("/admin/accounts")
        admin.fill("#new-username", "nina")
        admin.select_option("#new-role", "caseworker")
        admin.fill("#new-staff", "KS-002")
        admin.fill("#new-password", NEW_PASSWORD)
        admin.click("#add-account")
        assert "nina" in admin.locator("[role=status]").inner_text()

        nina = browser.new_page()
        sign_in(nina, site, "nina", NEW_PASSWORD)
        assert nina.url.endswith("/caseload")
        refused = nina.goto(f"{site}/admin/accounts")
        assert refused is not None and refused.status == 403
        nina.close()

        admin.goto(f"{site}/admin/audit?username=nina&action=login")
        events = admin.locator("#events tbody tr")
        assert events.count() == 1
        assert "login" in events.first.inner_text()

        admin.goto(f"{site}/admin/imports")
        wrong = tmp_path / "departments.csv"
        wrong.write_text(
            "department_id,name,is_trial,role_model\nJI9,New department,perhaps,all_apart\n",
            encoding="utf-8",
        )
        admin.select_option("#table", "departments")
        admin.set_input_files("#file", str(wrong))
        admin.click("#upload")
        problems = admin.locator("#problems tbody tr")
        assert problems.count() == 1
        row = problems.first.inner_text()
        assert "is_trial" in row and "2" in row
        with api_register.connect() as conn:
            count = conn.execute(
                select(func.count()).select_from(s.department).where(s.department.c.code == "JI9")
            ).scalar_one()
        assert count == 0  # nothing imported

        right = tmp_path / "departments-right.csv"
        right.write_text(
            "department_id,name,is_trial,role_model\nJI9,New department,false,all_apart\n",
            encoding="utf-8",
        )
        admin.set_input_files("#file", str(right))
        admin.click("#upload")
        assert "1" in admin.locator("#imported").inner_text()
        with api_register.connect() as conn:
            count = conn.execute(
                select(func.count()).select_from(s.department).where(s.department.c.code == "JI9")
            ).scalar_one()
        assert count == 1
