"""How the public is told to reach the branch, and dates as chat messages show them."""

from __future__ import annotations

from datetime import date

from bot.edge.contact import contact_values, public_day, signed
from bot.settings import Settings
from tests.conftest import BRANCH_ADDRESS, BRANCH_PHONE


def test_the_contact_values_come_from_the_settings(settings: Settings) -> None:
    assert contact_values(settings, "en") == {"phone": BRANCH_PHONE, "address": BRANCH_ADDRESS}


def test_a_contact_not_configured_is_shown_as_a_dash(settings: Settings) -> None:
    unset = settings.model_copy(
        update={"branch_contact_phone": None, "branch_contact_address": ""}
    )
    assert contact_values(unset, "zh-TW") == {"phone": "—", "address": "—"}


def test_a_message_to_a_reporter_is_signed_by_the_branch_with_its_contact(
    settings: Settings,
) -> None:
    text = signed("<b>案件已受理</b>", settings, "zh-TW")
    assert text.startswith("<b>案件已受理</b>\n\n——\n經濟部標準檢驗局新竹分局\n")
    assert f"電話 {BRANCH_PHONE}，地址 {BRANCH_ADDRESS}" in text
    english = signed("Received.", settings, "en")
    assert english.startswith("Received.\n\n——\nBSMI Hsinchu Branch\n")
    assert f"phone {BRANCH_PHONE}, address {BRANCH_ADDRESS}" in english


def test_the_contact_is_escaped_in_the_signature_but_the_message_is_kept_as_html(
    settings: Settings,
) -> None:
    odd = settings.model_copy(update={"branch_contact_address": "A & B <street>"})
    text = signed("<i>ok</i>", odd, "en")
    assert "A &amp; B &lt;street&gt;" in text
    assert text.startswith("<i>ok</i>")


def test_a_chat_date_is_roc_in_chinese_and_iso_in_english() -> None:
    assert public_day(date(2026, 12, 1), "zh-TW") == "115/12/01"
    assert public_day(date(2026, 12, 1), "en") == "2026-12-01"
