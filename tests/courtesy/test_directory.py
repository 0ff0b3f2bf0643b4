"""The courtesy directory: a CSV imported whole or not at all, updated by extension, the calls
a new directory strands, inspectors linked to their chats, and the directory as CSV lines."""

from __future__ import annotations

import pytest

from courtesy import directory
from courtesy.directory import RowErrors
from kernel.errors import UserError
from storage.db import Database
from storage.models import Role
from storage.queries.courtesy import fetch_test_views
from storage.queries.people import fetch_person_view
from tests.factories import directory_csv


def test_bad_directory_rows_are_listed_with_line_numbers_and_nothing_is_imported(
    db: Database,
) -> None:
    text = (
        "unit,name,extension,inspector\nsec1,甲,101,yes\nnowhere,乙,102,no\n"
        "sec2,,103,no\nsec3,丙,101,maybe\n"
    )
    with pytest.raises(RowErrors) as refused:
        db.call(directory.import_staff, text=text)
    assert [(p.line, p.key) for p in refused.value.problems] == [
        (3, "courtesy.staff.row_unit"),
        (4, "courtesy.staff.row_name"),
        (5, "courtesy.staff.row_duplicate"),
    ]
    with db.transaction() as session:
        from storage.queries.courtesy import fetch_staff

        assert fetch_staff(session=session, active_only=False) == []


def test_a_reimport_updates_by_extension_and_deactivates_who_left(db: Database) -> None:
    db.call(directory.import_staff, text=directory_csv())
    fewer = directory_csv().replace("職員201,201,yes", "林大同,201,yes").splitlines()
    fewer = [line for line in fewer if not line.endswith(",202,no,no")]
    summary = db.call(directory.import_staff, text="\n".join(fewer) + "\n")
    assert (summary.added, summary.updated, summary.deactivated) == (0, 1, 1)


def test_a_directory_that_breaks_planned_calls_names_them(planned: Database) -> None:
    with planned.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    inspector = views[0].inspector_extension
    called = next(v for v in views if v.inspector_extension != inspector)
    lines = [
        line.replace(f",{inspector},yes,", f",{inspector},no,")
        for line in directory_csv().splitlines()
        if f",{called.extension}," not in line
    ]
    summary = planned.call(directory.import_staff, text="\n".join(lines) + "\n")
    assert (summary.updated, summary.deactivated) == (1, 1)
    broken = {
        v.code
        for v in views
        if v.inspector_extension == inspector or v.extension == called.extension
    }
    assert set(summary.stranded) == broken
    assert planned.call(directory.stranded_calls) == summary.stranded


def test_an_inspector_is_linked_to_a_chat_and_given_the_role_in_their_unit(db: Database) -> None:
    db.call(directory.import_staff, text=directory_csv())
    lines = db.call(directory.staff_csv_lines, include_inactive=False)
    inspector = next(line for line in lines[1:] if line.split(",")[3] == "yes")
    clerk = next(line for line in lines[1:] if line.split(",")[3] == "no")
    unit, _, extension = inspector.split(",")[:3]
    for telegram_id, ext, key in (
        (0, extension, "courtesy.errors.bad_telegram_id"),
        (2**52, extension, "courtesy.errors.bad_telegram_id"),
        (7001, "999", "courtesy.errors.unknown_extension"),
        (7001, clerk.split(",")[2], "courtesy.errors.not_inspector"),
    ):
        with pytest.raises(UserError) as refused:
            db.call(directory.link_inspector, extension=ext, telegram_id=telegram_id)
        assert refused.value.key == key
    assert db.call(fetch_person_view, telegram_id=7001) is None
    staff = db.call(directory.link_inspector, extension=extension, telegram_id=7001)
    again = db.call(directory.link_inspector, extension=extension, telegram_id=7001)
    assert staff.person_id == again.person_id is not None
    person = db.call(fetch_person_view, telegram_id=7001)
    assert person is not None and person.roles == frozenset({Role.INSPECTOR})
    assert person.unit_ids == frozenset({staff.unit_id})
    linked = db.call(directory.staff_csv_lines, include_inactive=False)
    assert f"{unit},{inspector.split(',')[1]},{extension},yes,no,yes,yes" in linked


def test_the_directory_lines_say_yes_or_no_and_leave_out_who_left_unless_asked(
    db: Database,
) -> None:
    db.call(directory.import_staff, text=directory_csv())
    kept = directory_csv().splitlines()[:-1]
    db.call(directory.import_staff, text="\n".join(kept) + "\n")
    active = db.call(directory.staff_csv_lines, include_inactive=False)
    everyone = db.call(directory.staff_csv_lines, include_inactive=True)
    assert active[0] == everyone[0] == "unit,name,extension,inspector,switchboard,active,linked"
    assert len(active) == 1 + 83 and len(everyone) == 1 + 84
    assert [line for line in everyone if line not in active] == [
        "secretariat,職員284,284,no,no,no,no"
    ]
    assert "secretariat,職員279,279,no,yes,yes,no" in active


@pytest.mark.parametrize(
    ("text", "flag"),
    [("yes", True), (" Y ", True), ("是", True), ("no", False), ("", False), ("maybe", None)],
)
def test_a_flag_is_yes_or_no_in_either_language(text: str, flag: bool | None) -> None:
    assert directory.parse_flag(text) is flag
