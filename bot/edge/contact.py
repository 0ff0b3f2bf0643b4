"""How the public is told to reach the branch, and dates as chat messages show them.

The branch's phone and address come from the settings (`BRANCH_CONTACT_PHONE`,
`BRANCH_CONTACT_ADDRESS`; `bsmi-desk run` refuses to start without them) and are shown in the
privacy notice and under every message to a reporter, after the sender's name.
"""

from __future__ import annotations

from datetime import date

from bot.settings import Settings
from kernel.i18n import Markup, t
from kernel.reporting import format_day


def contact_values(settings: Settings, language: str) -> dict[str, str]:
    """The placeholders `phone` and `address` of a text that says how to reach the branch."""
    unset = t(language, "contact.unset")
    return {
        "phone": settings.branch_contact_phone or unset,
        "address": settings.branch_contact_address or unset,
    }


def signed(text: str, settings: Settings, language: str) -> str:
    """A message to a reporter, closed by the sender (the branch) and the contact line."""
    signature = t(language, "contact.signature", **contact_values(settings, language))
    return Markup(f"{text}\n\n{signature}")


def public_day(day: date, language: str) -> str:
    """A date in a chat message, to the public and to staff alike: ROC in Chinese
    (115/12/01), ISO in English."""
    return format_day(day, language, roc=language == "zh-TW")
