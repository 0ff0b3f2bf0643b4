"""The delivery worker's own state: the lease that keeps one worker per bot token, and the pause
it records while an error keeps it from delivering."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class WorkerLease(SQLModel, table=True):
    """A named lease with a heartbeat: one delivery worker per bot token holds it at a time."""

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    acquired_at: datetime = Field(sa_type=AwareDateTime)
    heartbeat_at: datetime = Field(sa_type=AwareDateTime)


class DeliveryPause(SQLModel, table=True):
    """Written by the worker holding the lease `name` when an error stops it from delivering,
    deleted when it delivers again; read by `notice status` and `/notices`."""

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    since: datetime = Field(sa_type=AwareDateTime)
    reason: str = Field(max_length=255)
