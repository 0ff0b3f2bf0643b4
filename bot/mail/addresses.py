"""E-mail addresses as stored (one form per mailbox) and the link tokens put in e-mails."""

from __future__ import annotations

import hashlib
import re
import secrets

from kernel.cleaning import one_line
from kernel.errors import UserError

ADDRESS_LIMIT = 254  # RFC 5321's path limit, less the angle brackets
_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TOKEN_BYTES = 24
"""192 random bits from `secrets` per token (at least 128 are asked for)."""


def normalise_address(raw: str) -> str:
    """The address on one line, lower-cased, its domain in ASCII (IDNA); UserError naming
    what is wrong in one sentence."""
    address = one_line(raw or "")
    if not address:
        raise UserError("mail.address_empty")
    if len(address) > ADDRESS_LIMIT:
        raise UserError("mail.address_too_long")
    local, at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UserError("mail.address_invalid", address=address) from None
    labels = domain.split(".")
    if (
        not at
        or not _LOCAL.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise UserError("mail.address_invalid", address=address)
    normal = f"{local.lower()}@{domain}"
    if len(normal) > ADDRESS_LIMIT:
        raise UserError("mail.address_too_long")
    return normal


def new_token() -> str:
    """An unguessable link token (URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
