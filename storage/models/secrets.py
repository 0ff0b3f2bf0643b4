"""Secrets an install makes for itself, kept in its own database.

`chat_hash` keys the HMAC-SHA256 that replaces a chat id in the delivery rows of survey
invitations and of the question after a closed case once that person used /forget: an unkeyed
hash of a Telegram id (an integer below about 10^10) is reversed by trying them all; with a key
of 256 random bits, only someone holding this database can test a guessed chat id (which is
what proof of delivery needs), and nothing can be read back from the hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime

CHAT_HASH_KEY = "chat_hash"


class InstallSecret(SQLModel, table=True):
    """A random secret of this install, written once by migration 0011_forget_unlinks."""

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)
    created_at: datetime = Field(sa_type=AwareDateTime)
