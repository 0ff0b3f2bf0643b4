"""A year's courtesy schedule in the database: the directory as the planner sees it, a drawn
plan stored (replacing one without results), and the stored calls read back, as views or as
CSV. The rules of the draw are `courtesy.planner`'s."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from courtesy.planner import Plan, StaffEntry, check_year, draw_plan, due_date, window
from courtesy.schedule_csv import csv_text, view_rows
from kernel.errors import UserError
from kernel.reporting import (
    format_period,
    format_stamp,
    plain,
    produced_now,
    use_roc,
)
from storage.models import CourtesyRound, CourtesyTest
from storage.queries.courtesy import (
    TestView,
    count_results_in_year,
    delete_year_plan,
    fetch_round,
    fetch_rounds,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)
from storage.queries.people import fetch_units


def directory_entries(session: Session) -> tuple[list[StaffEntry], list[str]]:
    """Active staff as planner entries, and the active units that must be covered."""
    units = fetch_unit_codes(session=session)
    entries = [
        StaffEntry(
            id=s.id or 0,
            unit=units[s.unit_id].code,
            name=s.name,
            extension=s.extension,
            is_inspector=s.is_inspector,
        )
        for s in fetch_staff(session=session)
    ]
    required = [u.code for u in fetch_units(session=session)]
    return entries, required


def plan_year(
    session: Session, *, year: int, target: int = 80, per_unit: int = 2, seed: int | None = None
) -> Plan:
    """Draw and store a year's three rounds, replacing a plan that has no results yet."""
    check_year(year)
    if seed is not None and not 0 <= seed < 2**31:
        raise UserError("courtesy.plan.bad_seed", most=2**31 - 1)
    if count_results_in_year(session=session, year=year):
        raise UserError("courtesy.plan.has_results", year=year)
    entries, required = directory_entries(session=session)
    chosen_seed = year if seed is None else seed
    plan = draw_plan(
        staff=entries,
        units=required,
        year=year,
        target=target,
        per_unit=per_unit,
        seed=chosen_seed,
    )
    delete_year_plan(session=session, year=year)
    round_ids: dict[int, int] = {}
    for number in (1, 2, 3):
        first, last = window(year, number)
        row = fetch_round(session=session, year=year, number=number) or CourtesyRound(
            year=year, number=number, starts_on=first, ends_on=last, due_on=first, seed=0
        )
        row.starts_on, row.ends_on, row.due_on = first, last, due_date(year, number)
        row.seed, row.calendar_published = chosen_seed, plan.calendar_published
        session.add(row)
        session.flush()
        assert row.id is not None
        round_ids[number] = row.id
    session.add_all(
        CourtesyTest(
            code=call.code(year),
            round_id=round_ids[call.round],
            staff_id=call.staff_id,
            inspector_id=call.inspector_id,
            scheduled_on=call.day,
            scheduled_time=call.at,
        )
        for call in plan.calls
    )
    session.flush()
    return plan


def schedule_views(session: Session, *, year: int) -> list[TestView]:
    """The stored calls of `year` (retests included) in round, date and time order."""
    check_year(year)
    if not fetch_rounds(session=session, year=year):
        raise UserError("courtesy.plan.none", year=year)
    views = fetch_test_views(session=session, year=year)
    return sorted(views, key=lambda v: (v.round, v.day, v.at, v.code))


def schedule_csv(
    session: Session,
    *,
    year: int,
    language: str = "zh-TW",
    western: bool = False,
    produced: datetime | None = None,
) -> str:
    """The stored plan of `year` as CSV, retests included, headers in `language` and a first
    line saying which year it covers and when it was produced."""
    roc = use_roc(language, western=western)
    views = schedule_views(session=session, year=year)
    rounds = fetch_rounds(session=session, year=year)
    unit_names = {u.code: u.name_in(language) for u in fetch_units(session=session)}
    caption = plain(
        language,
        "reports.schedule.caption",
        year=year - 1911 if roc and language == "zh-TW" else year,
        period=format_period(rounds[0].starts_on, rounds[-1].ends_on, language, roc=roc),
        stamp=format_stamp(produced or produced_now(), language, roc=roc),
    )
    rows = view_rows(views, language=language, roc=roc, unit_names=unit_names)
    return csv_text(rows, language=language, caption=caption)
