"""People, their roles, units and invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class Unit(SQLModel, table=True):
    """An organisational unit of the branch (第一課 … 秘書室)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    sort_order: int = 0
    active: bool = True

    def name_in(self, language: str) -> str:
        """The name in `language` (zh-TW, else English)."""
        return self.name_zh if language == "zh-TW" else self.name_en


class PersonBase(SQLModel):
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    language: str | None = Field(default=None, max_length=8)
    first_name: str | None = Field(default=None, max_length=128)
    username: str | None = Field(default=None, max_length=64)
    blocked: bool = False
    blocked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    company_name: str | None = Field(default=None, max_length=200)
    tax_id: str | None = Field(default=None, max_length=8)


class Person(PersonBase, CreatedAt, table=True):
    """Anyone who has talked to the bot (firms, monitors and staff alike)."""

    id: int | None = Field(default=None, primary_key=True)


class RoleGrant(CreatedAt, table=True):
    """A role held by a person, optionally within a unit; revoked grants stay as history."""

    __table_args__ = (Index("ix_rolegrant_person_active", "person_id", "revoked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    granted_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    invite_id: int | None = Field(default=None, foreign_key="invite.id")
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Invite(CreatedAt, table=True):
    """A single-use link that grants a role; valid for a limited time."""

    __table_args__ = (UniqueConstraint("code"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    used_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
