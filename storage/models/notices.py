"""Notice categories (the notice network's tables grow here)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class Category(SQLModel, table=True):
    """A business category firms subscribe to; retired ones keep their history."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    sort_order: int = 0
    retired_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
