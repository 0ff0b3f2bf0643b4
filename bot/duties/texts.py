"""A duty's occurrence and a training session as one line, the same in chat (`kernel.i18n.t`,
values escaped for Telegram HTML) and on the command line (`kernel.reporting.plain`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kernel.reporting import format_day
from storage.models import TrainingSession, Unit
from storage.queries.duties import Listed

Texts = Callable[..., str]
"""`t` or `plain`: (language, key, **values) → text."""


def occurrence_line(texts: Texts, lang: str, row: Listed) -> str:
    """`#12 115/12/31 次年度服務效能執行計畫研訂（秘書室）`, and when and by whom it was done."""
    occurrence, duty, unit = row
    roc = lang == "zh-TW"
    line = texts(
        lang,
        "duties.line",
        id=occurrence.id,
        due=format_day(occurrence.due_on, lang, roc=roc),
        title=duty.title_in(lang),
        unit=unit.name_in(lang),
    )
    if occurrence.done_on is not None:
        line += texts(
            lang,
            "duties.line_done",
            on=format_day(occurrence.done_on, lang, roc=roc),
            by=occurrence.done_by or "",
        )
    return line


def session_line(texts: Texts, lang: str, row: TrainingSession, unit: Unit) -> str:
    """`#3 116/03/12 第一課 CNS 新制說明 2 小時 35 人次（同仁）`."""
    values: dict[str, Any] = {
        "id": row.id,
        "on": format_day(row.held_on, lang, roc=lang == "zh-TW"),
        "unit": unit.name_in(lang),
        "title": row.title,
        "hours": f"{row.hours:g}",
        "attendees": row.attendees,
        "audience": texts(lang, f"training.audience_{row.audience}"),
    }
    return texts(lang, "training.line", **values)
