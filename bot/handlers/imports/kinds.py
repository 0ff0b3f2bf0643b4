"""The four files staff may upload, each checked and imported by the one domain function the
command line calls: the certificate register (`registry import`), the courtesy staff directory
(`courtesy staff import`), 附表2 scores for a period (`assessment import`) and cases received
elsewhere (`case import`).

A kind's `preview` checks the whole file and writes nothing (the preview's lines); its `apply`
imports it (checked again, in the import's own transaction) and gives the CLI's own sentence.
A file with bad rows is one `UserError` whose rows `problems` lists, each a sentence with its
row (第 n 列). A kind names who may upload it: the register and the staff directory the
secretariat and admins, scores and cases received elsewhere the secretariat alone.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from bot.assessment.scoring import ScoreRows, check_scores, import_scores
from bot.cases.importing import CaseRows, check_cases, import_cases
from bot.edge.access import SECRETARIAT, SECRETARIAT_ONLY
from bot.edge.context import Services
from bot.notices.registry import check_register, import_register
from courtesy.directory import RowErrors, check_staff, import_staff
from kernel.clock import today, utcnow
from kernel.errors import BadRows, UserError
from kernel.i18n import t
from kernel.periods import ASSESSED, Period, parse_period
from kernel.textfiles import SentFile
from storage.models import Role
from storage.models.cases import CaseKind


@dataclass(frozen=True)
class Upload:
    """A file's text and what the person asked for with it."""

    text: str
    encoding: str
    """Which encoding the bytes were read as (`kernel.textfiles.UTF8` or `BIG5`)."""
    sent: SentFile
    period: str | None = None
    """The period of a scores file (`2027-H1`), as typed."""
    replace: bool = False
    """A register file replaces the register: certificates missing from it are withdrawn."""

    @property
    def by(self) -> str:
        return f"telegram:{self.sent.telegram_id}"


Preview = Callable[[Services, Upload, str], Awaitable[list[str]]]
Apply = Callable[[Services, Upload, str], Awaitable[list[str]]]


@dataclass(frozen=True)
class Kind:
    """One kind of import: its name in buttons and waits, its command, its two steps, who may
    upload it."""

    name: str
    command: str
    preview: Preview
    apply: Apply
    roles: frozenset[Role]
    needs_period: bool = False

    @property
    def title_key(self) -> str:
        return f"imports.kinds.{self.name}"


async def _registry_preview(services: Services, upload: Upload, lang: str) -> list[str]:
    checked = await services.db.run_read(
        check_register,
        text=upload.text,
        replace=upload.replace,
        days=services.settings.expiry_reminder_days,
        tz=services.tz,
        now=utcnow(),
    )
    return [
        t(
            lang,
            "imports.registry_preview",
            read=checked.read,
            added=len(checked.new_rows),
            updated=len(checked.changed),
            unchanged=checked.unchanged,
            withdrawn=len(checked.withdrawn_ids),
            planned=checked.planned,
        ),
        t(lang, "imports.replace_on" if upload.replace else "imports.replace_off"),
    ]


async def _registry_apply(services: Services, upload: Upload, lang: str) -> list[str]:
    done = await services.db.run(
        import_register,
        text=upload.text,
        replace=upload.replace,
        days=services.settings.expiry_reminder_days,
        tz=services.tz,
        now=utcnow(),
        sent=upload.sent,
    )
    return [t(lang, "registry.imported", **asdict(done))]


async def _staff_preview(services: Services, upload: Upload, lang: str) -> list[str]:
    checked = await services.db.run_read(check_staff, text=upload.text)
    return [
        t(
            lang,
            "imports.staff_preview",
            read=checked.read,
            added=len(checked.added),
            updated=len(checked.updated),
            unchanged=checked.unchanged,
            deactivated=len(checked.deactivated),
        )
    ]


STRANDED_SHOWN = 20


async def _staff_apply(services: Services, upload: Upload, lang: str) -> list[str]:
    done = await services.db.run(import_staff, text=upload.text, sent=upload.sent)
    lines = [
        t(
            lang,
            "courtesy.staff.imported",
            added=done.added,
            updated=done.updated,
            unchanged=done.unchanged,
            deactivated=done.deactivated,
        )
    ]
    if done.stranded:
        more = len(done.stranded) - STRANDED_SHOWN
        shown = ", ".join(done.stranded[:STRANDED_SHOWN]) + (f" (+{more})" if more > 0 else "")
        lines.append(t(lang, "courtesy.staff.stranded", count=len(done.stranded), tests=shown))
    return lines


def _period(upload: Upload) -> Period:
    """The scores' period, checked (UserError naming what is accepted)."""
    return parse_period(upload.period or "", kinds=ASSESSED)


async def _scores_preview(services: Services, upload: Upload, lang: str) -> list[str]:
    period = _period(upload)
    checked = await services.db.run_read(
        check_scores, period=period, text=upload.text, today=today(services.tz), by=upload.by
    )
    return [
        t(
            lang,
            "imports.scores_preview",
            period=period.code,
            read=len(checked.built),
            added=checked.added,
            changed=checked.changed,
        )
    ]


async def _scores_apply(services: Services, upload: Upload, lang: str) -> list[str]:
    period = _period(upload)
    saved = await services.db.run(
        import_scores,
        period=period,
        text=upload.text,
        today=today(services.tz),
        by=upload.by,
        sent=upload.sent,
    )
    return [t(lang, "assessment.imported", period=period.code, count=len(saved))]


async def _cases_preview(services: Services, upload: Upload, lang: str) -> list[str]:
    rows = await services.db.run_read(check_cases, text=upload.text, today=today(services.tz))
    kinds = Counter(row.kind for row in rows)
    return [
        t(
            lang,
            "imports.cases_preview",
            read=len(rows),
            product=kinds[CaseKind.PRODUCT],
            service=kinds[CaseKind.SERVICE],
            monitor=kinds[CaseKind.MONITOR],
            routed=sum(1 for row in rows if row.unit_id is not None),
        )
    ]


async def _cases_apply(services: Services, upload: Upload, lang: str) -> list[str]:
    settings = services.settings
    numbers = await asyncio.to_thread(
        import_cases,
        db=services.db,
        text=upload.text,
        tz=services.tz,
        reply_days=settings.case_reply_days,
        counting=settings.case_day_counting,
        today=today(services.tz),
        sent=upload.sent,
    )
    return [t(lang, "case_import.done", count=len(numbers), first=numbers[0], last=numbers[-1])]


KINDS = {
    kind.name: kind
    for kind in (
        Kind("registry", "registry", _registry_preview, _registry_apply, SECRETARIAT),
        Kind("staff", "staff", _staff_preview, _staff_apply, SECRETARIAT),
        Kind(
            "scores",
            "scores",
            _scores_preview,
            _scores_apply,
            SECRETARIAT_ONLY,
            needs_period=True,
        ),
        Kind("cases", "cases_import", _cases_preview, _cases_apply, SECRETARIAT_ONLY),
    )
}
BY_COMMAND = {kind.command: kind for kind in KINDS.values()}


def problems(error: UserError, lang: str) -> list[str]:
    """Each bad row of a refused file as a sentence naming its row (第 n 列); none when the
    error is about the file as a whole."""
    if isinstance(error, BadRows):
        return [
            t(lang, "registry.problem_line", line=p.line, problem=t(lang, p.key, **p.values))
            for p in error.problems
        ]
    if isinstance(error, RowErrors):
        return [
            t(lang, "courtesy.staff.row_line", line=p.line, problem=t(lang, p.key, **p.values))
            for p in error.problems
        ]
    if isinstance(error, ScoreRows | CaseRows):
        return [t(lang, e.key, **e.values) for e in error.problems]
    return []
