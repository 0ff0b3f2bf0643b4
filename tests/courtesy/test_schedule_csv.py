"""The courtesy schedule as CSV: a drawn plan's rows in plan order with names from the
directory, stored calls as a spreadsheet keeps them (codes with `#`, rounds as words, dates
with their weekday, unit names), the header in the reader's language."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, time

from courtesy.planner import Plan, PlannedCall, StaffEntry
from courtesy.schedule_csv import csv_text, plan_rows, view_rows
from storage.queries import courtesy as queries

STAFF = [
    StaffEntry(1, "A1", "王小明", "101"),
    StaffEntry(2, "B2", "陳美玲", "202", is_inspector=True),
    StaffEntry(3, "A1", "林志豪", "103", is_inspector=True),
]


def view(code: str, round_: int, day: date, at: time, **changes: object) -> queries.TestView:
    base = queries.TestView(
        id=1,
        code=code,
        year=2026,
        round=round_,
        round_id=round_,
        due_on=day,
        day=day,
        at=at,
        status="planned",
        staff_id=1,
        staff_name="王小明",
        extension="101",
        unit_code="A1",
        unit_zh="第一課",
        unit_en="Section 1",
        template="",
        inspector_id=2,
        inspector_name="陳美玲",
        inspector_extension="202",
        inspector_unit="B2",
        inspector_person_id=None,
        retest_of_action_id=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_plans_rows_name_the_person_called_and_the_inspector() -> None:
    plan = Plan(
        year=2026,
        seed=1,
        calls=(
            PlannedCall(1, 7, date(2026, 3, 4), time(9, 5), staff_id=1, inspector_id=2),
            PlannedCall(2, 12, date(2026, 7, 1), time(14, 30), staff_id=2, inspector_id=3),
        ),
        calendar_published=True,
    )
    assert plan_rows(plan, STAFF) == [
        ("2026-1-007", 1, "2026-03-04", "09:05", "A1", "王小明", "101", "陳美玲", "B2"),
        ("2026-2-012", 2, "2026-07-01", "14:30", "B2", "陳美玲", "202", "林志豪", "A1"),
    ]


def test_stored_calls_are_ordered_and_written_as_a_spreadsheet_keeps_them() -> None:
    later = view("2026-2-001", 2, date(2026, 7, 1), time(9, 0))
    first = view("2026-1-002", 1, date(2026, 3, 2), time(10, 0))
    earlier_same_day = view("2026-1-009", 1, date(2026, 3, 2), time(9, 30))
    rows = view_rows([later, first, earlier_same_day], unit_names={"B2": "第二課"})
    assert [row[0] for row in rows] == ["#2026-1-009", "#2026-1-002", "#2026-2-001"]
    assert rows[0] == (
        "#2026-1-009",
        "2026 年第 1 輪",
        "2026-03-02（一）",
        "09:30",
        "第一課",
        "王小明",
        "101",
        "陳美玲",
        "第二課",
    )


def test_stored_calls_in_english_with_roc_years_and_an_unnamed_unit() -> None:
    (row,) = view_rows(
        [view("2026-1-001", 1, date(2026, 3, 2), time(9, 30))], language="en", roc=True
    )
    assert row[1:5] == ("ROC 115 R1", "115/03/02 (Mon)", "09:30", "Section 1")
    assert row[8] == "B2"  # no name known: the code stands


def test_the_csv_has_its_caption_then_the_header_in_the_readers_language() -> None:
    rows = [
        ("#2026-1-001", "2026 R1", "2026-03-02 (Mon)", "09:30", "S1", "Wang", "1", "Chen", "B")
    ]
    english = list(csv.reader(io.StringIO(csv_text(rows, language="en", caption="Schedule"))))
    assert english[0] == ["Schedule"]
    assert english[1] == [
        "Test",
        "Round",
        "Date",
        "Time",
        "Unit",
        "Person called",
        "Extension",
        "Inspector",
        "Inspector's unit",
    ]
    assert english[2] == list(rows[0])
    chinese = csv_text([], caption="排程")
    assert chinese.splitlines()[1].startswith("測試編號,輪次,日期,時間,受測單位,受測人,分機")
    assert "\r" not in chinese and not chinese.startswith("\ufeff")
