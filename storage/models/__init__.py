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
from storage.models.people import AuditEntry, Invite, Person, RoleGrant, Unit

__all__ = [
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
