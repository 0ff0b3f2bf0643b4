"""A firm's profile: the company name and its 統一編號 (unified business number), checked by the
Ministry of Finance rule; and the /profile conversation's state."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlmodel import Session

from bot.notices.publishing import one_line
from kernel.errors import UserError
from storage.queries import notices as q

COMPANY_NAME_LIMIT = 200
TAX_ID_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def tax_id_is_valid(tax_id: str) -> bool:
    """The Ministry of Finance check rule as revised on 2023-04-01.

    Each digit times its weight (1,2,1,2,1,2,4,1); the digits of each product are added; the
    total must be divisible by 5. When the seventh digit is 7 (its product 28 gives 10, which
    may be read as 1 or 0) the total or the total + 1 may be divisible.
    """
    if len(tax_id) != 8 or not tax_id.isascii() or not tax_id.isdigit():
        return False
    total = 0
    for digit, weight in zip(tax_id, TAX_ID_WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    if total % 5 == 0:
        return True
    return tax_id[6] == "7" and (total + 1) % 5 == 0


def tax_id_text(raw: str) -> str:
    """A 統一編號 as typed or exported, as its digits: full-width digits made ASCII (NFKC),
    spaces and hyphens dropped, and one leading `#` (the product's own CSVs write one) or `'`
    (Excel's mark of a number kept as text) removed. Not checked: see `tax_id_is_valid`."""
    value = unicodedata.normalize("NFKC", raw).strip()
    if value[:1] in ("#", "'"):
        value = value[1:]
    return value.replace(" ", "").replace("-", "")


def clean_tax_id(raw: str) -> str:
    """An 8-digit 統一編號, or UserError saying why not."""
    value = tax_id_text(raw)
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise UserError("notices.tax_id_shape")
    if value == "00000000":  # passes the check sum (its total is 0) but is nobody's number
        raise UserError("notices.tax_id_zero")
    if not tax_id_is_valid(value):
        raise UserError("notices.tax_id_check")
    return value


def clean_company_name(raw: str) -> str:
    """The name on one line, without control or zero-width characters (see `one_line`);
    UserError if empty or longer than 200 characters."""
    value = one_line(raw)
    if not value:
        raise UserError("notices.company_empty")
    if len(value) > COMPANY_NAME_LIMIT:
        raise UserError("notices.company_too_long", limit=COMPANY_NAME_LIMIT)
    return value


@dataclass
class ProfileDraft:
    """The /profile conversation between its steps; kept in user data (JSON)."""

    company: str | None = None
    tax_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"company": self.company, "tax_id": self.tax_id}

    @classmethod
    def from_dict(cls, data: object) -> ProfileDraft:
        """Tolerant of what older versions stored: missing keys and non-text values are empty."""
        found = data if isinstance(data, dict) else {}

        def text(key: str) -> str | None:
            value = found.get(key)
            return value if isinstance(value, str) else None

        return cls(company=text("company"), tax_id=text("tax_id"))


def current_profile(session: Session, *, person_id: int) -> ProfileDraft:
    """The saved company name and 統一編號, as the start of a /profile conversation."""
    profile = q.fetch_profile(session=session, person_id=person_id)
    return ProfileDraft(company=profile.company_name, tax_id=profile.tax_id)


def save_profile(session: Session, *, person_id: int, profile: ProfileDraft) -> None:
    """Store the profile as the conversation left it (either field may be empty)."""
    q.save_profile(
        session=session,
        person_id=person_id,
        company_name=profile.company,
        tax_id=profile.tax_id,
    )
