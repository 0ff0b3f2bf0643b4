"""Cases received off-line (phone, letter, the web, email), from a CSV: every row or none.

The whole file is checked first (against the codes read in one short transaction), then
written in batches, each its own short transaction, so the bot answers everyone in between
instead of waiting for one long write. The rows carry the id of their import and stay hidden
from staff, lists and reminders until the last batch is in; if a batch fails, every row of the
import is deleted again and its case numbers given back (unless someone filed meanwhile: then
they stay a gap, never given twice). An import interrupted outright (the process killed) is
finished off by the next one, which deletes the rows of any import untouched for
`ABANDONED_AFTER`.

This use case spans several transactions by design, so it takes the `Database`, not a session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.deadlines import due_date
from bot.cases.filing import (
    MAX_DESCRIPTION,
    MIN_DESCRIPTION,
    clean_line,
    clean_text,
    format_number,
    visible_length,
)
from kernel.clock import utcnow
from kernel.csvread import read_csv_table
from kernel.dates import parse_day
from kernel.errors import UserError
from kernel.textfiles import SentFile
from storage.db import Database
from storage.models.cases import CaseKind, CaseState, Channel
from storage.queries.audit import record_audit
from storage.queries.cases import (
    delete_case_import,
    fetch_abandoned_imports,
    fetch_codes_to_ids,
    finish_case_import,
    give_back_case_numbers,
    insert_imported_cases,
    reserve_case_numbers,
    start_case_import,
)

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = ("channel", "kind", "received_on", "subject", "description")
OPTIONAL_COLUMNS = ("location", "category", "unit", "contact_name", "contact_phone")
IMPORT_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.WEB, Channel.EMAIL)
BATCH = 500
"""Rows a transaction: well under a tenth of a second of writing on SQLite, so a reply of the
bot waiting for the database waits no longer than that."""
YEARS_BACK = 10
ABANDONED_AFTER = timedelta(minutes=10)
"""An unfinished import whose batches stopped this long ago was interrupted (each batch of a
running import touches it well within a second)."""


@dataclass(frozen=True)
class ImportRow:
    """One checked row, ready to be written."""

    line: int
    channel: Channel
    kind: CaseKind
    received_on: date
    subject: str
    description: str
    location: str | None
    category_id: int | None
    unit_id: int | None
    contact_name: str | None
    contact_phone: str | None


def _earliest(today: date) -> date:
    """The first day of the last `YEARS_BACK` years (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - YEARS_BACK)
    except ValueError:
        return today.replace(year=today.year - YEARS_BACK, day=28)


def read_import(
    *, text: str, today: date, categories: dict[str, int], units: dict[str, int]
) -> list[ImportRow]:
    """Every row of the CSV checked against the category and unit codes (no database: on
    SQLite even a reading transaction holds the write lock), or CaseRows naming every bad
    line (the first as the error itself)."""
    table = read_csv_table(
        text,
        required=IMPORT_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        name=lambda h: clean_line(h).lower(),
    )
    earliest = _earliest(today)
    rows: list[ImportRow] = []
    problems: list[UserError] = []
    for line, row in table.rows:
        try:
            rows.append(_check_row(row, line, today, earliest, categories, units))
        except UserError as error:
            problems.append(error)
    if problems:
        raise CaseRows(problems)
    if not rows:
        raise UserError("case_import.empty")
    return rows


class CaseRows(UserError):
    """Bad rows of a case import: the error is the first one's; `problems` holds every one,
    each a sentence naming its line."""

    def __init__(self, problems: list[UserError]) -> None:
        super().__init__(problems[0].key, **problems[0].values)
        self.problems = problems


def check_cases(session: Session, *, text: str, today: date) -> list[ImportRow]:
    """The whole file checked against the codes as they stand, for a preview; reads only.
    `import_cases` checks again before it writes."""
    categories, units = fetch_codes_to_ids(session)
    return read_import(text=text, today=today, categories=categories, units=units)


def _check_row(
    row: dict[str, str],
    line: int,
    today: date,
    earliest: date,
    categories: dict[str, int],
    units: dict[str, int],
) -> ImportRow:
    value = {k: clean_line(v) for k, v in row.items()}
    try:
        channel = Channel(value["channel"].lower())
        if channel not in IMPORT_CHANNELS:
            raise ValueError
    except ValueError:
        raise UserError(
            "case_import.bad_channel",
            line=line,
            value=value["channel"],
            allowed=", ".join(c.value for c in IMPORT_CHANNELS),
        ) from None
    received_on = parse_day(value["received_on"])
    if received_on is None:
        raise UserError("case_import.bad_date", line=line, value=value["received_on"])
    if received_on > today:
        raise UserError("case_import.future_date", line=line, value=value["received_on"])
    if received_on < earliest:
        raise UserError(
            "case_import.too_old", line=line, value=value["received_on"], years=YEARS_BACK
        )
    category_id = None
    if value.get("category"):
        category_id = categories.get(value["category"].lower())
        if category_id is None:
            raise UserError("case_import.bad_category", line=line, value=value["category"])
    unit_id = None
    if value.get("unit"):
        unit_id = units.get(value["unit"].lower(), units.get(value["unit"]))
        if unit_id is None:
            raise UserError("case_import.bad_unit", line=line, value=value["unit"])
    try:
        kind = CaseKind(value["kind"].lower())
    except ValueError:
        raise UserError("case_import.bad_kind", line=line, value=value["kind"]) from None
    subject = value["subject"][:500]
    if not visible_length(subject):
        raise UserError("case_import.empty_subject", line=line)
    description = clean_text(row["description"])
    if visible_length(description) < MIN_DESCRIPTION:
        raise UserError("case_import.short_description", line=line, minimum=MIN_DESCRIPTION)
    if len(description) > MAX_DESCRIPTION:
        raise UserError("case_import.long_description", line=line, maximum=MAX_DESCRIPTION)
    return ImportRow(
        line=line,
        channel=channel,
        kind=kind,
        received_on=received_on,
        subject=subject,
        description=description,
        location=value.get("location", "")[:500] or None,
        category_id=category_id,
        unit_id=unit_id,
        contact_name=value.get("contact_name", "")[:100] or None,
        contact_phone=value.get("contact_phone", "")[:40] or None,
    )


def store_batch(
    session: Session,
    *,
    import_id: int,
    rows: list[ImportRow],
    numbers: list[tuple[CaseKind, int, int]],
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
) -> None:
    """Write one batch: `numbers[i]` (kind, year, sequence) is the number of `rows[i]`."""
    now = utcnow()
    cases, reporters, events = [], [], []
    for row, (kind, year, seq) in zip(rows, numbers, strict=True):
        received_at = datetime.combine(row.received_on, time(9, 0), tzinfo=tz)
        state = CaseState.ASSIGNED if row.unit_id is not None else CaseState.RECEIVED
        cases.append(
            {
                "created_at": now,
                "number": format_number(kind, year, seq),
                "kind": kind.value,
                "channel": row.channel.value,
                "year": year,
                "seq": seq,
                "state": state.value,
                "subject": row.subject,
                "location": row.location,
                "description": row.description,
                "category_id": row.category_id,
                "unit_id": row.unit_id,
                "received_at": received_at,
                "received_on": row.received_on,
                "due_on": due_date(row.received_on, reply_days, counting),
                "extended_days": 0,
            }
        )
        reporters.append(
            {
                "person_id": None,
                "anonymous": False,
                "contact_name": row.contact_name,
                "contact_phone": row.contact_phone,
                "language": None,
            }
            if row.contact_name or row.contact_phone
            else None
        )
        events.append(
            {
                "at": received_at,
                "actor_id": None,
                "action": "file",
                "from_state": None,
                "to_state": state.value,
                "note": row.channel.value,
            }
        )
    insert_imported_cases(
        session=session,
        import_id=import_id,
        at=now,
        cases=cases,
        reporters=reporters,
        events=events,
    )


def _begin(
    session: Session, *, rows: list[ImportRow]
) -> tuple[int, dict[tuple[CaseKind, int], tuple[int, int]]]:
    """Open the import and reserve each kind and year's numbers as one block."""
    counts: dict[tuple[CaseKind, int], int] = {}
    for row in rows:
        key = (row.kind, row.received_on.year)
        counts[key] = counts.get(key, 0) + 1
    import_id = start_case_import(session=session, at=utcnow(), rows=len(rows))
    blocks = {
        key: (reserve_case_numbers(session=session, kind=key[0].value, year=key[1], count=n), n)
        for key, n in counts.items()
    }
    return import_id, blocks


def _undo(
    session: Session, *, import_id: int, blocks: dict[tuple[CaseKind, int], tuple[int, int]]
) -> None:
    delete_case_import(session=session, import_id=import_id)
    for (kind, year), (first, count) in blocks.items():
        give_back_case_numbers(
            session=session, kind=kind.value, year=year, first=first, count=count
        )


def _clear_abandoned(session: Session, *, now: datetime) -> int:
    removed = 0
    for import_id in fetch_abandoned_imports(
        session=session, touched_before=now - ABANDONED_AFTER
    ):
        removed += delete_case_import(session=session, import_id=import_id)
    return removed


def _finish(session: Session, *, import_id: int, count: int, sent: SentFile | None) -> None:
    """Show the import's cases; a file sent in chat is audited in the same transaction."""
    finish_case_import(session=session, import_id=import_id, at=utcnow())
    if sent is not None:
        record_audit(session=session, **sent.audit_row("chat.cases_import", cases=count))


def import_cases(
    *,
    db: Database,
    text: str,
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
    today: date,
    batch_size: int = BATCH,
    sent: SentFile | None = None,
) -> list[str]:
    """Store every row of a CSV of cases received off-line; all rows or none. Returns numbers.

    Refuses the whole file (nothing written) when a line is bad (CaseRows); a failure while writing
    removes what was written and is a UserError saying nothing was imported."""
    categories, units = db.call(fetch_codes_to_ids)
    rows = read_import(text=text, today=today, categories=categories, units=units)
    cleared = db.call(_clear_abandoned, now=utcnow())
    if cleared:
        logger.warning("removed %s cases of an interrupted case import", cleared)
    import_id, blocks = db.call(_begin, rows=rows)
    taken = {key: first for key, (first, _) in blocks.items()}
    numbers: list[tuple[CaseKind, int, int]] = []
    for row in rows:
        key = (row.kind, row.received_on.year)
        numbers.append((row.kind, key[1], taken[key]))
        taken[key] += 1
    try:
        for start in range(0, len(rows), batch_size):
            db.call(
                store_batch,
                import_id=import_id,
                rows=rows[start : start + batch_size],
                numbers=numbers[start : start + batch_size],
                tz=tz,
                reply_days=reply_days,
                counting=counting,
            )
        db.call(_finish, import_id=import_id, count=len(rows), sent=sent)
    except Exception as exc:
        logger.warning("case import %s failed, removing its rows", import_id, exc_info=True)
        try:
            db.call(_undo, import_id=import_id, blocks=blocks)
        except Exception:  # its rows stay hidden; the next import removes them
            logger.warning("could not remove the rows of case import %s", import_id)
        raise UserError("case_import.failed", reason=str(exc) or type(exc).__name__) from None
    return [format_number(kind, year, seq) for kind, year, seq in numbers]
