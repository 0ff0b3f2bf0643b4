"""Confidentiality: only the secretariat sees who reported; other units see nothing; a forgotten
reporter leaves the case on file without identity."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.cases.actions import Action
from bot.cases.details import fetch_case_details, view_case
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, CaseReporter, Role
from storage.queries.cases import fetch_case_by_number
from storage.queries.people import forget_person
from tests.factories import do, file_on, person

SECRETARY = 5001
INSPECTOR = 5002
OTHER_INSPECTOR = 5003
REPORTER = 5004


def test_only_the_secretariat_sees_the_reporter_and_other_units_see_nothing(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    stranger = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec5")
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 5, 4), reporter=reporter, contact=("王小明", "0912345678"))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 4), unit="sec1")
    seen = db.call(fetch_case_details, number=filed.number, viewer=secretary)
    assert seen.reporter is not None
    assert (seen.reporter.name, seen.reporter.phone) == ("王小明", "0912345678")
    assert seen.reporter.telegram_id == REPORTER
    unit_view = db.call(fetch_case_details, number=filed.number, viewer=inspector)
    assert unit_view.reporter is None
    assert "assign" not in unit_view.actions and "reply" in unit_view.actions
    with pytest.raises(UserError):
        db.call(fetch_case_details, number=filed.number, viewer=stranger)
    with pytest.raises(UserError):
        do(db, filed.number, Action.REPLY, stranger, date(2026, 5, 5), text="不是我的案件")


def test_a_forgotten_reporter_leaves_the_case_on_file_without_identity(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 5, 4), reporter=reporter, contact=("王小明", "0912345678"))
    assert db.call(forget_person, person_id=reporter.id)
    case_row = db.call(fetch_case_by_number, number=filed.number)
    assert case_row is not None and case_row.subject.startswith("行動電源")
    reporters = db.call(lambda session: list(session.exec(select(CaseReporter)).all()))
    assert reporters == []
    seen = db.call(fetch_case_details, number=filed.number, viewer=secretary)
    assert seen.reporter is not None
    assert (seen.reporter.telegram_id, seen.reporter.name, seen.reporter.phone) == (
        None,
        None,
        None,
    )
    # Staff can still finish it; nobody is messaged.
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 5), unit="sec1")
    outcome = do(db, filed.number, Action.REPLY, secretary, date(2026, 5, 6), text="已處理完畢。")
    assert outcome.notices == []


def _viewed(db: Database) -> list[tuple[int | None, str, str | None]]:
    rows = db.call(lambda session: list(session.exec(select(AuditEntry)).all()))
    return [(a.actor_telegram_id, a.action, a.target) for a in rows]


def test_a_view_that_shows_the_reporter_is_audited_in_the_same_call_and_others_are_not(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, date(2026, 5, 4), contact=("王小明", "0912345678"))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 4), unit="sec1")
    seen = db.call(view_case, number=filed.number.lower(), viewer=secretary)
    assert seen.reporter is not None and seen.reporter.name == "王小明"
    assert _viewed(db) == [(SECRETARY, "case.view", filed.number)]
    unit_view = db.call(view_case, number=filed.number, viewer=inspector)
    assert unit_view.reporter is None
    assert _viewed(db) == [(SECRETARY, "case.view", filed.number)]
    with pytest.raises(UserError) as refused:
        db.call(view_case, number="P2026-09999", viewer=secretary)
    assert refused.value.key == "cases.not_found"
    assert len(_viewed(db)) == 1
