"""Rubric versions in the database: every version listed, and a new version of a template
added from a JSON list of items (results already recorded keep the version they used)."""

from __future__ import annotations

import json

from sqlmodel import Session

from courtesy.rubric import parse_items
from kernel.errors import UserError
from storage.models import CourtesyRubric
from storage.queries.courtesy import fetch_latest_rubric, fetch_rubrics


def rubric_lines(session: Session) -> list[str]:
    """One line per version: template, version, names and each item's code and maximum."""
    lines = []
    for row in fetch_rubrics(session=session):
        items = ", ".join(f"{i['code']}:{i['max']}" for i in row.items)
        lines.append(f"{row.template} v{row.version} ({row.name_zh} / {row.name_en}): {items}")
    return lines


def add_rubric_version(
    session: Session,
    *,
    template: str,
    text: str,
    name_zh: str | None = None,
    name_en: str | None = None,
) -> int:
    """Add the next version of `template` from `text`, a JSON list of items as in the default
    templates; the names default to the previous version's (else the template). Returns the
    new version's number."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise UserError("courtesy.errors.rubric_shape") from None
    items = parse_items(data)
    latest = fetch_latest_rubric(session=session, template=template)
    row = CourtesyRubric(
        template=template,
        version=(latest.version + 1) if latest else 1,
        name_zh=name_zh or (latest.name_zh if latest else template),
        name_en=name_en or (latest.name_en if latest else template),
        items=[i.to_json() for i in items],
    )
    session.add(row)
    session.flush()
    return row.version
