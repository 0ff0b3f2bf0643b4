"""The courtesy schedule as CSV: a drawn plan's rows, stored calls' rows as a spreadsheet keeps
them, and the text through the one CSV writer."""

from __future__ import annotations

from collections.abc import Sequence

from courtesy.planner import Plan, StaffEntry
from kernel import csvfiles
from kernel.reporting import (
    format_round,
    plain,
)
from storage.queries.courtesy import (
    TestView,
)

CSV_HEADER = (
    "test_id",
    "round",
    "date",
    "time",
    "unit",
    "staff",
    "extension",
    "inspector",
    "inspector_unit",
)


def csv_text(
    rows: Sequence[Sequence[object]], *, language: str = "zh-TW", caption: str = ""
) -> str:
    """The schedule as CSV text, through the one CSV writer (`kernel.csvfiles`): a caption
    line, the header in `language`, the rows (no BOM: it is printed)."""
    header = [plain(language, f"reports.schedule.{column}") for column in CSV_HEADER]
    return csvfiles.csv_text(caption, header, rows, newline="\n")


def plan_rows(plan: Plan, staff: Sequence[StaffEntry]) -> list[tuple[object, ...]]:
    """The CSV rows of a drawn plan, in round, date and time order."""
    by_id = {p.id: p for p in staff}
    rows: list[tuple[object, ...]] = []
    for call in plan.calls:
        person, inspector = by_id[call.staff_id], by_id[call.inspector_id]
        rows.append(
            (
                call.code(plan.year),
                call.round,
                call.day.isoformat(),
                call.at.strftime("%H:%M"),
                person.unit,
                person.name,
                person.extension,
                inspector.name,
                inspector.unit,
            )
        )
    return rows


def view_rows(
    views: Sequence[TestView],
    *,
    language: str = "zh-TW",
    roc: bool = False,
    unit_names: dict[str, str] | None = None,
) -> list[tuple[object, ...]]:
    """The CSV rows of stored calls (retests included), as a spreadsheet keeps them: codes
    with `#`, rounds as `2026 R1`, dates with their weekday, unit names not codes."""
    names = unit_names or {}
    ordered = sorted(views, key=lambda v: (v.round, v.day, v.at, v.code))
    return [
        (
            csvfiles.code(v.code),
            format_round(v.year, v.round, language, roc=roc),
            csvfiles.csv_day(v.day, language, roc=roc),
            v.at.strftime("%H:%M"),
            v.unit_name(language),
            v.staff_name,
            v.extension,
            v.inspector_name,
            names.get(v.inspector_unit, v.inspector_unit),
        )
        for v in ordered
    ]
