"""A duty's occurrences on the work calendar: the last working day on or before each nominal
date (a 31 December on a Saturday or a holiday, the monthly check across Lunar New Year 2027),
the recurrences' months, and the plan's duties seeded by the migration."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.duties.schedule import due_on, nominal_dates
from kernel import workcalendar
from storage.db import Database
from storage.models import Duty, Unit

START = date(2027, 1, 1)


def duty(
    every: str, day: int | None = None, month: int | None = None, dates: str | None = None
) -> Duty:
    return Duty(
        title_zh="測試",
        title_en="Test",
        unit_id=1,
        every=every,
        day=day,
        month=month,
        dates=dates,
        starts_on=START,
    )


def test_a_31_december_on_a_saturday_is_due_on_the_friday_before() -> None:
    yearly = duty("yearly", 31, 12)
    (nominal,) = nominal_dates(yearly, date(2033, 1, 1), date(2033, 12, 31))
    assert nominal == date(2033, 12, 31) and nominal.weekday() == 5
    assert workcalendar.is_working_day(date(2033, 12, 30))
    assert due_on(nominal) == date(2033, 12, 30)


def test_a_31_december_that_is_a_day_off_goes_back_as_the_calendar_says() -> None:
    # 2027: 1 January 2028 is a Saturday, so Friday 31 December 2027 is the day off.
    assert not workcalendar.is_working_day(date(2027, 12, 31))
    assert due_on(date(2027, 12, 31)) == date(2027, 12, 30)


def test_the_monthly_check_across_lunar_new_year_2027_is_due_the_last_working_day_before() -> None:
    monthly = duty("monthly", 8)
    february = nominal_dates(monthly, date(2027, 2, 1), date(2027, 2, 28))
    assert february == [date(2027, 2, 8)]
    holiday = [date(2027, 2, 4) + timedelta(days=n) for n in range(5)]
    assert not any(workcalendar.is_working_day(d) for d in holiday)
    assert workcalendar.is_working_day(date(2027, 2, 3))
    assert due_on(date(2027, 2, 8)) == date(2027, 2, 3)
    assert [due_on(d) for d in nominal_dates(monthly, START, date(2027, 3, 31))] == [
        date(2027, 1, 8),
        date(2027, 2, 3),
        date(2027, 3, 8),
    ]


def test_recurrences_fall_in_their_months_and_a_short_month_ends_them() -> None:
    year = (START, date(2027, 12, 31))
    assert nominal_dates(duty("quarterly", 31), *year) == [
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 9, 30),
        date(2027, 12, 31),
    ]
    assert nominal_dates(duty("half-yearly", 30, 6), *year) == [
        date(2027, 6, 30),
        date(2027, 12, 30),
    ]
    assert nominal_dates(duty("yearly", 31, 1), *year) == [date(2027, 1, 31)]
    assert nominal_dates(duty("dates", dates="05-31,11-30"), *year) == [
        date(2027, 5, 31),
        date(2027, 11, 30),
    ]
    assert nominal_dates(duty("monthly", 31), date(2027, 2, 1), date(2027, 2, 28)) == [
        date(2027, 2, 28)
    ]
    late = Duty(**{**duty("monthly", 8).model_dump(), "starts_on": date(2027, 3, 1)})
    assert nominal_dates(late, *year)[0] == date(2027, 3, 8)


def test_the_plans_duties_are_seeded_for_the_secretariat(db: Database) -> None:
    rows = db.call(
        lambda session: [
            (d.title_zh, d.every, u.code, d.facility)
            for d, u in session.exec(select(Duty, Unit).join(Unit)).all()
        ]
    )
    assert {(zh, every) for zh, every, _, _ in rows} == {
        ("5S 環境整理", "dates"),
        ("無障礙設施查核", "half-yearly"),
        ("AED 及飲水機檢查", "monthly"),
        ("網站資料有效性檢視", "quarterly"),
        ("次年度服務效能執行計畫研訂", "yearly"),
        ("執行計畫報局核備", "yearly"),
    }
    assert {code for _, _, code, _ in rows} == {"secretariat"}
    assert {zh for zh, _, _, facility in rows if not facility} == {
        "次年度服務效能執行計畫研訂",
        "執行計畫報局核備",
    }
