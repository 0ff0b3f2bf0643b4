"""The delivery worker's own state beside its lease: paused by an error, since when and why."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class DeliveryPause(SQLModel, table=True):
    """Written by the worker holding the lease `name` when an error stops it from delivering,
    deleted when it delivers again; read by `notice status` and `/notices`."""

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    since: datetime = Field(sa_type=AwareDateTime)
    reason: str = Field(max_length=255)
