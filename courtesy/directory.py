"""The staff directory: import from CSV, link inspectors to their Telegram accounts.

The CSV has the header ``unit,name,extension,inspector`` and optionally a ``switchboard``
column (yes/no: scored with the switchboard template). `unit` is a unit code (``sec1``) or its
Chinese name (``第一課``). The extension identifies a person: a re-import updates by extension,
adds new people and deactivates those no longer listed (their history stays). Every bad row is
reported with its line number and nothing at all is imported then. `check_staff` checks a
file and says what it would change (a preview); `apply_staff` writes that; `import_staff` does
both in one transaction.

An inspector uses /tests and /score once linked to their Telegram account with
``bsmi-desk courtesy staff link EXTENSION TELEGRAM_ID``, which also grants them the inspector
role for their unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session

from courtesy.rubric import BUSINESS, SWITCHBOARD
from kernel.csvread import read_csv_table
from kernel.errors import UserError
from kernel.textfiles import SentFile
from storage.models import CourtesyStaff, Role, TestStatus, Unit
from storage.queries.audit import record_audit
from storage.queries.courtesy import (
    fetch_staff,
    fetch_staff_by_extension,
    fetch_test_views,
    fetch_unit_codes,
)
from storage.queries.people import (
    fetch_person_view,
    fetch_units,
    grant_role,
    upsert_person,
)

REQUIRED = ("unit", "name", "extension", "inspector")
OPTIONAL = ("switchboard",)
YES = {"yes", "y", "true", "1", "是", "v"}
NO = {"no", "n", "false", "0", "否", ""}


@dataclass(frozen=True)
class RowProblem:
    line: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)


class RowErrors(UserError):
    """Some rows of an import are wrong; `problems` lists each with its line number."""

    def __init__(self, key: str, problems: list[RowProblem]) -> None:
        super().__init__(key, count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class StaffRow:
    line: int
    unit_id: int
    name: str
    extension: str
    inspector: bool
    template: str


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int
    deactivated: int
    stranded: tuple[str, ...] = ()
    """Unscored calls the new directory breaks: the person called or the inspector has left,
    is no longer an inspector, or the inspector is now in the called person's unit."""


def parse_flag(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def read_csv(
    text: str, *, required: Sequence[str], optional: Sequence[str] = (), any_other: bool = False
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs, each field trimmed, read by `kernel.csvread` (a
    malformed file is one UserError naming its line)."""
    table = read_csv_table(text, required=required, optional=optional, any_other=any_other)
    rows = [(line, {k: v.strip() for k, v in row.items()}) for line, row in table.rows]
    return table.header, rows


def parse_staff_csv(text: str, units: list[Unit]) -> list[StaffRow]:
    """Validate every row; raise RowErrors listing all bad rows."""
    _, rows = read_csv(text, required=REQUIRED, optional=OPTIONAL)
    by_name: dict[str, Unit] = {}
    for known in units:
        by_name[known.code.lower()] = known
        by_name[known.name_zh] = known
    problems: list[RowProblem] = []
    parsed: list[StaffRow] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        unit = by_name.get(row["unit"].lower()) or by_name.get(row["unit"])
        inspector = parse_flag(row["inspector"])
        switchboard = parse_flag(row.get("switchboard", ""))
        extension = row["extension"]
        if unit is None:
            problems.append(RowProblem(line, "courtesy.staff.row_unit", {"unit": row["unit"]}))
        elif not row["name"]:
            problems.append(RowProblem(line, "courtesy.staff.row_name"))
        elif not extension or len(extension) > 16:
            problems.append(RowProblem(line, "courtesy.staff.row_extension"))
        elif extension in seen:
            problems.append(
                RowProblem(line, "courtesy.staff.row_duplicate", {"first": seen[extension]})
            )
        elif inspector is None or switchboard is None:
            problems.append(RowProblem(line, "courtesy.staff.row_flag"))
        else:
            seen[extension] = line
            assert unit.id is not None
            parsed.append(
                StaffRow(
                    line=line,
                    unit_id=unit.id,
                    name=row["name"][:64],
                    extension=extension,
                    inspector=inspector,
                    template=SWITCHBOARD if switchboard else BUSINESS,
                )
            )
    if problems:
        problems.sort(key=lambda p: p.line)
        raise RowErrors("courtesy.staff.bad_rows", problems)
    if not parsed:
        raise UserError("courtesy.staff.empty")
    return parsed


@dataclass(frozen=True)
class StaffCheck:
    """A directory file checked whole against the directory as it stands: who importing it
    adds, updates and deactivates (nothing is written to make it)."""

    read: int
    added: list[StaffRow]
    updated: list[tuple[CourtesyStaff, StaffRow]]
    unchanged: int
    deactivated: list[CourtesyStaff]


def check_staff(session: Session, *, text: str) -> StaffCheck:
    """Check every row (RowErrors listing all bad rows) and work out what importing the file
    changes; reads only."""
    rows = parse_staff_csv(text, fetch_units(session=session, active_only=False))
    existing = {s.extension: s for s in fetch_staff(session=session, active_only=False)}
    added: list[StaffRow] = []
    updated: list[tuple[CourtesyStaff, StaffRow]] = []
    unchanged = 0
    for row in rows:
        current = existing.pop(row.extension, None)
        if current is None:
            added.append(row)
            continue
        wanted = (row.unit_id, row.name, row.inspector, row.template, True)
        have = (
            current.unit_id,
            current.name,
            current.is_inspector,
            current.template,
            current.active,
        )
        if wanted == have:
            unchanged += 1
        else:
            updated.append((current, row))
    gone = [s for s in existing.values() if s.active]
    return StaffCheck(len(rows), added, updated, unchanged, gone)


def apply_staff(session: Session, *, checked: StaffCheck) -> ImportSummary:
    """Write what `check_staff` found in this session's transaction."""
    for row in checked.added:
        session.add(
            CourtesyStaff(
                unit_id=row.unit_id,
                name=row.name,
                extension=row.extension,
                is_inspector=row.inspector,
                template=row.template,
            )
        )
    for current, row in checked.updated:
        current.unit_id, current.name = row.unit_id, row.name
        current.is_inspector, current.template, current.active = row.inspector, row.template, True
        session.add(current)
    for gone in checked.deactivated:
        gone.active = False
        session.add(gone)
    session.flush()
    return ImportSummary(
        len(checked.added),
        len(checked.updated),
        checked.unchanged,
        len(checked.deactivated),
        stranded_calls(session=session),
    )


def import_staff(session: Session, *, text: str, sent: SentFile | None = None) -> ImportSummary:
    """Apply a directory CSV: add, update by extension, deactivate who is no longer listed; a
    file sent in chat is audited with it."""
    done = apply_staff(session, checked=check_staff(session, text=text))
    if sent is not None:
        outcome = asdict(done)
        outcome.pop("stranded")
        record_audit(session=session, **sent.audit_row("chat.staff_import", **outcome))
    return done


def stranded_calls(session: Session) -> tuple[str, ...]:
    """Codes of unscored calls that can no longer be made as planned (see ImportSummary)."""
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    found = []
    for view in fetch_test_views(session=session, status=TestStatus.PLANNED.value):
        called, inspector = staff[view.staff_id], staff[view.inspector_id]
        if (
            not called.active
            or not inspector.active
            or not inspector.is_inspector
            or inspector.unit_id == called.unit_id
        ):
            found.append(view.code)
    return tuple(found)


def link_inspector(
    session: Session, *, extension: str, telegram_id: int, first_name: str | None = None
) -> CourtesyStaff:
    """Link an inspector's directory row to a Telegram account and grant the inspector role."""
    if not 0 < telegram_id < 2**52:  # Telegram user ids fit in 52 bits
        raise UserError("courtesy.errors.bad_telegram_id", telegram_id=telegram_id)
    staff = fetch_staff_by_extension(session=session, extension=extension)
    if staff is None:
        raise UserError("courtesy.errors.unknown_extension", extension=extension)
    if not staff.is_inspector:
        raise UserError("courtesy.errors.not_inspector", extension=extension, name=staff.name)
    view = fetch_person_view(session=session, telegram_id=telegram_id)
    if view is None:
        view = upsert_person(
            session=session, telegram_id=telegram_id, first_name=first_name, username=None
        )
    staff.person_id = view.id
    session.add(staff)
    if Role.INSPECTOR not in view.roles or staff.unit_id not in view.unit_ids:
        grant_role(session=session, person_id=view.id, role=Role.INSPECTOR, unit_id=staff.unit_id)
    session.flush()
    return staff


def staff_csv_lines(session: Session, *, include_inactive: bool) -> list[str]:
    """The directory as CSV lines, header first: unit code, name, extension and yes/no for
    inspector, switchboard, active and linked to Telegram."""
    units = fetch_unit_codes(session=session)
    lines = ["unit,name,extension,inspector,switchboard,active,linked"]
    for s in fetch_staff(session=session, active_only=not include_inactive):
        flags = [s.is_inspector, s.template == SWITCHBOARD, s.active, s.person_id is not None]
        yes_no = ",".join("yes" if f else "no" for f in flags)
        lines.append(f"{units[s.unit_id].code},{s.name},{s.extension},{yes_no}")
    return lines
