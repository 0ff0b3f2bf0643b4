"""The audit log: one row per staff action or refused attempt, written in the transaction of
the change it records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class AuditEntry(SQLModel, table=True):
    """One staff action or refused attempt: who, when, what, on what."""

    __table_args__ = (Index("ix_auditentry_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    action: str = Field(max_length=64)
    target: str | None = Field(default=None, max_length=128)
    allowed: bool = True
    detail: str | None = None
