"""bot/cases/report_tables.py: the overdue list read at a day's end and written as one declared
table on the page, in the CSV and in chat; the most-reported products; the sentence naming the
targets that are the plan's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.cases.actions import Action
from bot.cases.report_tables import (
    OVERDUE,
    TOP_PRODUCTS,
    OverdueRow,
    overdue_rows,
    targets_note,
)
from storage.db import Database
from storage.models import Role
from storage.queries.assessment import fetch_targets, save_targets
from tests.factories import do, file_on, person

SECRETARY = 5301
AS_OF = date(2026, 3, 31)
UNITS = {"sec1": "第一課", "sec2": "第二課"}


def test_the_overdue_list_holds_the_cases_open_past_due_at_the_days_end_most_late_first(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    assigned = file_on(db, date(2026, 3, 2), reply_days=5)
    do(db, assigned.number, Action.ASSIGN, secretary, date(2026, 3, 3), unit="sec1")
    unassigned = file_on(db, date(2026, 3, 2), reply_days=10)
    replied = file_on(db, date(2026, 3, 2), reply_days=5)
    do(db, replied.number, Action.ASSIGN, secretary, date(2026, 3, 3), unit="sec2")
    do(db, replied.number, Action.REPLY, secretary, date(2026, 3, 20), text="已查核")
    replied_later = file_on(db, date(2026, 3, 3), reply_days=5)
    do(db, replied_later.number, Action.ASSIGN, secretary, date(2026, 3, 3), unit="sec2")
    do(db, replied_later.number, Action.REPLY, secretary, date(2026, 4, 2), text="已查核")
    waiting = file_on(db, date(2026, 3, 2), reply_days=5)
    do(db, waiting.number, Action.ASK_INFO, secretary, date(2026, 3, 4), text="請補照片")
    file_on(db, date(2026, 3, 25), reply_days=30)  # not due yet

    rows = db.call(overdue_rows, as_of=AS_OF, units=UNITS, language="en")
    assert rows == [
        OverdueRow(
            assigned.number,
            "第一課",
            (AS_OF - assigned.due_on).days,
            date(2026, 3, 2),
            assigned.due_on,
        ),
        OverdueRow(
            replied_later.number,  # replied after the day the report counts to
            "第二課",
            (AS_OF - replied_later.due_on).days,
            date(2026, 3, 3),
            replied_later.due_on,
        ),
        OverdueRow(
            unassigned.number,
            "not assigned",
            (AS_OF - unassigned.due_on).days,
            date(2026, 3, 2),
            unassigned.due_on,
        ),
    ]
    assert [r.days_late for r in rows] == [22, 21, 15]  # calendar days after the deadline
    chinese = db.call(overdue_rows, as_of=AS_OF, units={}, language="zh-TW")
    assert [r.unit for r in chinese] == ["未分案"] * 3  # a unit not named reads as unassigned
    assert db.call(overdue_rows, as_of=assigned.due_on, units=UNITS, language="en") == []


ROW = OverdueRow("P2026-00001", "第一課", 3, date(2026, 3, 2), date(2026, 3, 9))


def test_an_overdue_row_is_one_declaration_on_the_page_in_the_csv_and_in_chat() -> None:
    assert OVERDUE.html(ROW, "zh-TW", roc=True) == (
        '<th scope="row" class="nowrap">P2026-00001</th><td class="name">第一課</td>'
        '<td class="nowrap">115/03/02</td><td class="nowrap">115/03/09</td>'
        '<td class="n late">3</td>'
    )
    assert OVERDUE.csv("overdue", [ROW], "en", roc=False) == (
        "overdue",
        "Overdue cases",
        ["Number", "Unit", "Received", "Deadline", "Days late (calendar days)"],
        [["P2026-00001", "第一課", "2026-03-02 (Mon)", "2026-03-09 (Mon)", 3]],
    )
    assert OVERDUE.header("zh-TW") == [
        "案號",
        "承辦單位",
        "收件日",
        "處理期限",
        "逾期日數（日曆天）",
    ]
    assert OVERDUE.text_cells(ROW, "zh-TW", roc=True) == [
        "P2026-00001",
        "第一課",
        "115/03/02",
        "115/03/09",
        "3",
    ]


def test_the_most_reported_products_have_no_row_header_and_a_plain_product_cell() -> None:
    assert TOP_PRODUCTS.html(("行動電源", 4), "zh-TW", roc=True) == (
        '<td>行動電源</td><td class="n">4</td>'
    )
    assert TOP_PRODUCTS.csv("products", [("行動電源", 4), ("延長線", 2)], "zh-TW", roc=True) == (
        "products",
        "最常被檢舉的商品",
        ["商品", "件數"],
        [["行動電源", 4], ["延長線", 2]],
    )
    assert TOP_PRODUCTS.text_cells(("延長線", 2), "en", roc=False) == ["延長線", "2"]


def test_the_targets_note_names_the_plans_figures_in_the_reports_year_and_language(
    db: Database,
) -> None:
    every = db.call(fetch_targets, year=2026)
    assert targets_note(every, "zh-TW", roc=True) == (
        "115 年未設定電話禮貌測試、監視員反映、民眾檢舉、申訴的年度目標，"
        "採用服務效能提升計畫的預設值"
        "（民眾檢舉、申訴 350 件，監視員反映 250 件，電話禮貌測試 80 通）。"
    )
    western = targets_note(every, "zh-TW", roc=False)
    assert western is not None and western.startswith("2026 年未設定")
    assert targets_note(every, "en", roc=True) == (
        "No courtesy calls, monitor reports, public reports and complaints target is set for "
        "2026: the service-efficiency plan's figures are used (public reports and complaints "
        "350, monitor reports 250, courtesy calls 80)."
    )
    now = datetime(2026, 1, 5, tzinfo=UTC)
    db.call(save_targets, year=2026, figures={"public": 300, "courtesy": 90}, at=now, by="ann")
    one = db.call(fetch_targets, year=2026)
    monitor = targets_note(one, "zh-TW", roc=True)
    assert monitor is not None and monitor.startswith("115 年未設定監視員反映的年度目標")
    db.call(save_targets, year=2026, figures={"monitor": 200}, at=now, by="ann")
    assert targets_note(db.call(fetch_targets, year=2026), "zh-TW", roc=True) is None
