"""Shapes the API answers with, where no service type says it already."""

from __future__ import annotations

from datetime import date
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from caseload.access.accounts import Account

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int = Field(ge=1)
    size: int = Field(ge=1)
    total: int = Field(ge=0, description="How many match the filters in all")


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    staff: str | None
    departments: list[str]
    lang: str
    active: bool

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            username=account.username,
            display_name=account.display_name,
            role=account.role,
            staff=account.staff,
            departments=list(account.departments),
            lang=account.lang,
            active=account.active,
        )


class Day(BaseModel):
    day: date


# the code lists of domain.codes as types, so that the OpenAPI document names every value
# (tests/unit/test_serve_models.py checks that they stay equal)
MeetingKind = Literal[
    "job_meeting",
    "follow_up",
    "three_party",
    "rehabilitation_team",
    "company_visit",
    "phone_contact",
    "other",
]
MeetingPlace = Literal[
    "job_centre",
    "home",
    "supplier",
    "residence",
    "hospital",
    "workplace",
    "phone",
    "video",
    "other",
]
MeetingStatus = Literal[
    "planned", "held", "cancelled_by_citizen", "no_show", "cancelled_by_job_centre"
]
Role = Literal["coordinating_caseworker", "company_consultant", "mentor"]
ContactReason = Literal[
    "reallocation",
    "staff_exit",
    "staff_leave",
    "cover",
    "handoff",
    "cap_change",
    "citizen_moved",
    "citizen_request",
    "other",
]
