"""What python-telegram-bot persists through `bot/edge/persistence.py`: conversation states
and user, chat and bot data, so a restart resumes a `/report` or `/score` conversation."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class BotState(SQLModel, table=True):
    """Conversation states and user data of python-telegram-bot, so they survive a restart."""

    namespace: str = Field(max_length=64, primary_key=True)
    key: str = Field(max_length=128, primary_key=True)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
