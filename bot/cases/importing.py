"""Cases received off-line (phone, letter, the web, email), from a CSV: every row or none."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.filing import MIN_DESCRIPTION, Draft, file_case
from kernel.errors import UserError
from storage.models.cases import CaseKind, Channel
from storage.queries.cases import fetch_category_by_code
from storage.queries.people import fetch_unit_by_code

IMPORT_COLUMNS = ("channel", "kind", "received_on", "subject", "description")
OPTIONAL_COLUMNS = ("location", "category", "unit", "contact_name", "contact_phone")
IMPORT_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.WEB, Channel.EMAIL)


def import_cases(
    *, session: Session, text: str, tz: ZoneInfo, reply_days: int, counting: str, today: date
) -> list[str]:
    """Store every row of a CSV of cases received off-line; all rows or none. Returns numbers."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise UserError("case_import.missing_columns", columns=", ".join(missing))
    numbers = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            channel = Channel(row["channel"].lower())
            if channel not in IMPORT_CHANNELS:
                raise ValueError
        except ValueError:
            raise UserError(
                "case_import.bad_channel",
                line=line,
                value=row["channel"],
                allowed=", ".join(c.value for c in IMPORT_CHANNELS),
            ) from None
        try:
            received_on = date.fromisoformat(row["received_on"])
        except ValueError:
            raise UserError("case_import.bad_date", line=line, value=row["received_on"]) from None
        if received_on > today:
            raise UserError("case_import.future_date", line=line, value=row["received_on"])
        category_id = None
        if row.get("category"):
            category = fetch_category_by_code(session=session, code=row["category"])
            if category is None:
                raise UserError("case_import.bad_category", line=line, value=row["category"])
            category_id = category.id
        unit_id = None
        if row.get("unit"):
            unit = fetch_unit_by_code(session=session, code=row["unit"])
            if unit is None:
                raise UserError("case_import.bad_unit", line=line, value=row["unit"])
            unit_id = unit.id
        if row["kind"].lower() not in {k.value for k in CaseKind}:
            raise UserError("case_import.bad_kind", line=line, value=row["kind"])
        if not row["subject"]:
            raise UserError("case_import.empty_subject", line=line)
        if len(row["description"]) < MIN_DESCRIPTION:
            raise UserError("case_import.short_description", line=line, minimum=MIN_DESCRIPTION)
        draft = Draft(
            kind=row["kind"].lower(),
            subject=row["subject"],
            location=row.get("location") or None,
            description=row["description"],
            contact_name=row.get("contact_name") or None,
            contact_phone=row.get("contact_phone") or None,
        )
        filed = file_case(
            session=session,
            draft=draft,
            person_id=None,
            roles=frozenset(),
            language=None,
            received_at=datetime.combine(received_on, time(9, 0), tzinfo=tz),
            tz=tz,
            reply_days=reply_days,
            counting=counting,
            channel=channel,
            category_id=category_id,
            unit_id=unit_id,
        )
        numbers.append(filed.number)
    if not numbers:
        raise UserError("case_import.empty")
    return numbers
