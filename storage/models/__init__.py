"""All tables, imported here so that SQLModel.metadata is complete for Alembic."""

from storage.models.base import STAFF_ROLES, Role
from storage.models.notices import Category
from storage.models.people import AuditEntry, Invite, Person, RoleGrant, Unit

__all__ = [
    "STAFF_ROLES",
    "AuditEntry",
    "Category",
    "Invite",
    "Person",
    "Role",
    "RoleGrant",
    "Unit",
]
