"""bot/edge/case_news.py: what a reporter reads about their case: ROC dates in Chinese, and
every message to the public signed by the branch with the contact line; staff news is not."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot.cases.actions import Action
from bot.edge.case_news import render
from bot.settings import Settings
from storage.db import Database
from storage.models import Role
from tests.factories import do, file_on, person

FIRM = 8101
SECRETARY = 8102
INSPECTOR = 8103
DAY = date(2026, 11, 2)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
ROC_DATE = re.compile(r"\b11\d/\d\d/\d\d\b")


def test_reporter_news_has_roc_dates_and_is_signed_with_the_branchs_contact(
    db: Database, settings: Settings
) -> None:
    reporter = person(db, FIRM)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, DAY, reporter=reporter)
    assigned = do(db, filed.number, Action.ASSIGN, secretary, DAY, unit="sec1")
    extended = do(db, filed.number, Action.EXTEND, secretary, DAY, text="10 需會同廠商抽樣送驗")

    (news,) = [n for n in extended.notices if n.key == "cases.notify.extended"]
    text, _ = render(news, settings)
    due = extended.due_on
    assert f"{due.year - 1911}/{due.month:02d}/{due.day:02d}" in text
    assert not ISO_DATE.search(text)
    assert "經濟部標準檢驗局新竹分局" in text
    assert f"電話 {settings.branch_contact_phone}，地址 {settings.branch_contact_address}" in text

    english, _ = render(replace(news, language="en"), settings)
    assert due.isoformat() in english and not ROC_DATE.search(english)
    assert f"phone {settings.branch_contact_phone}" in english

    unit_news = [n for n in assigned.notices if n.key == "cases.notify.assigned_unit"]
    assert unit_news, "the unit is told"
    staff_text, _ = render(unit_news[0], settings)
    assert "經濟部標準檢驗局新竹分局" not in staff_text  # staff news is not a reply to the public


def test_a_request_for_information_names_its_button_by_its_label(
    db: Database, settings: Settings
) -> None:
    reporter = person(db, FIRM)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, DAY, reporter=reporter)
    asked = do(db, filed.number, Action.ASK_INFO, secretary, DAY, text="請提供購買收據。")
    (news,) = asked.notices
    text, markup = render(news, settings)
    assert markup is not None
    label = markup.inline_keyboard[0][0].text
    assert f"「{label}」" in text
