"""All tables, imported here so that SQLModel.metadata is complete for Alembic."""

from storage.models.base import STAFF_ROLES, Role
from storage.models.cases import (
    BotState,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CaseReminder,
    CaseReporter,
)
from storage.models.notices import Category, Delivery, Notice, NoticeAttachment, NoticeCategory, Subscription, WorkerLease  # noqa: E501
from storage.models.courtesy import ActionStatus, CourtesyAction, CourtesyActionEvent, CourtesyReminder, CourtesyResult, CourtesyRound, CourtesyRubric, CourtesyStaff, CourtesyTest, TestStatus  # noqa: E501
from storage.models.people import AuditEntry, Invite, Person, RoleGrant, Unit

__all__ = [
    *("ActionStatus CourtesyAction CourtesyActionEvent CourtesyReminder CourtesyResult CourtesyRound CourtesyRubric CourtesyStaff CourtesyTest TestStatus".split()),  # noqa: E501
    "BotState",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseAttachment",
    "CaseReminder",
    "CaseReporter",
    "STAFF_ROLES",
    "AuditEntry",
    "Category",
    "Delivery",
    "Notice",
    "NoticeAttachment",
    "NoticeCategory",
    "Subscription",
    "WorkerLease",
    "Invite",
    "Person",
    "Role",
    "RoleGrant",
    "Unit",
]
