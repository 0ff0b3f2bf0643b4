"""What chat asks of the self-assessment (bot/assessment/overview.py): `/summary` tells a
period from a month; `/assessment` opens the period asked for or the one next due, with its
working days left, its 附表2 table and its evidence (none before the period begins), audited;
`/summary 2027-H1` is the period's complaint analysis, audited as case.summary; a month is
refused as a period of either."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.assessment.overview import looks_like_period, open_assessment, summarise_period
from kernel import workcalendar
from kernel.errors import UserError
from kernel.periods import Period
from storage.db import Database
from storage.queries.audit import fetch_audit
from storage.seeds import UNITS
from tests.bot.assessment.panel import score
from tests.factories import file_on

TZ = ZoneInfo("Asia/Taipei")
TODAY = date(2027, 7, 2)
VIEWER = 7401


def audits(db: Database) -> list[tuple[str, str | None, int | None]]:
    return [(a.action, a.target, a.actor_telegram_id) for a in db.call(fetch_audit)]


def opened(db: Database, wanted: str | None, today: date = TODAY, language: str = "zh-TW"):  # type: ignore[no-untyped-def]
    return db.call(
        open_assessment,
        wanted=wanted,
        today=today,
        language=language,
        pass_mark=80,
        tz=TZ,
        by=VIEWER,
    )


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2027", True),
        ("2027-H1", True),
        (" 2027-h2 ", True),
        ("2027-03", False),
        ("2027-H12", False),
        ("27-H1", False),
        ("H1", False),
    ],
)
def test_a_period_is_told_from_a_month(text: str, period: bool) -> None:
    assert looks_like_period(text) is period


def test_without_a_period_the_one_next_due_is_opened_with_its_table_and_evidence(
    db: Database,
) -> None:
    score(db, "sec1")
    overview = opened(db, None)
    assert overview.period == Period(2027, half=1)  # due 15 July, still ahead on 2 July
    assert overview.working_days_left == workcalendar.working_days_between(
        TODAY, overview.period.deadline
    )
    assert overview.state.scored == 1 and len(overview.table.rows) == len(UNITS)
    assert overview.table.rows[0].total == 860 and overview.table.rows[1].total is None
    assert overview.evidence is not None and overview.evidence.period == overview.period
    assert ("assessment.open", "2027-H1", VIEWER) in audits(db)
    after = opened(db, None, today=date(2027, 7, 16))
    assert after.period == Period(2027)  # the half-year's deadline has passed


def test_a_period_not_begun_has_its_table_but_no_evidence_yet(db: Database) -> None:
    overview = opened(db, "2028", language="en")
    assert overview.period == Period(2028) and overview.evidence is None
    assert overview.table.title.endswith("2028")
    assert all(row.total is None for row in overview.table.rows)


@pytest.mark.parametrize("wanted", ["2027-03", "2027-H2", "next"])
def test_a_month_a_second_half_or_a_word_is_not_an_assessment_period(
    db: Database, wanted: str
) -> None:
    with pytest.raises(UserError) as raised:
        opened(db, wanted)
    assert raised.value.key == "period.bad"
    with pytest.raises(UserError) as raised:
        db.call(summarise_period, text=wanted, today=TODAY, language="en", by=VIEWER)
    assert raised.value.key == "period.bad"
    assert audits(db) == []


def test_a_half_years_complaint_analysis_is_audited_as_the_summary(db: Database) -> None:
    file_on(db, date(2027, 2, 3))
    file_on(db, date(2027, 5, 4), kind="monitor")
    file_on(db, date(2027, 8, 5))  # the second half: not counted
    analysis = db.call(summarise_period, text="2027-h1", today=TODAY, language="en", by=VIEWER)
    assert analysis.period == Period(2027, half=1)
    assert analysis.as_of == date(2027, 6, 30)  # the half-year is over by TODAY
    assert sum(row.received for row in analysis.months) == 2
    assert ("case.summary", "2027-H1", VIEWER) in audits(db)
