"""Shared fields and the enumerations every area uses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from kernel.clock import utcnow
from storage.types import AwareDateTime


class Role(StrEnum):
    """What a person may do; one person may hold several."""

    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    INSPECTOR = "inspector"
    MONITOR = "monitor"


STAFF_ROLES = frozenset({Role.ADMIN, Role.SECRETARIAT, Role.INSPECTOR})
"""Who works at the branch: the staff commands (/notice, /cases, /tests …)."""
SECRETARIAT_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})
"""Who sees the whole branch and a petitioner's identity: /summary, /assessment, /survey …"""
SECRETARIAT_ONLY_ROLES = frozenset({Role.SECRETARIAT})
"""The secretariat (研考) alone, not the system's admins: 附表2 scores and their publication,
cases received elsewhere (/scores, /cases_import, /assessment's scoring buttons)."""
ADMIN_ROLES = frozenset({Role.ADMIN})
"""Who runs the system: /invite, /roles, /categories."""


class CreatedAt(SQLModel):
    """A creation time, aware, set on insert."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime, nullable=False)
