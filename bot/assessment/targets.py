"""Yearly targets (`target set`, `target list`): public reports and complaints, monitor
reports, courtesy calls and training sessions; a year or a figure not set falls back to the
plan's 350 / 250 / 80 / 26 (`storage.queries.assessment.PLAN_TARGETS`), and every report that
uses it says so."""

from __future__ import annotations

from sqlmodel import Session

from kernel.clock import utcnow
from kernel.errors import UserError
from storage.queries.assessment import Targets, fetch_targets, fetch_year_targets, save_targets
from storage.queries.audit import record_audit

NAMES = ("public", "monitor", "courtesy", "training")
LIMIT = 100_000


def set_targets(
    session: Session, *, year: int, figures: dict[str, int | None], by: str
) -> Targets:
    """Set the figures given (any subset); refuses no figure, a negative or absurd one."""
    if not 2000 <= year <= 2999:
        raise UserError("targets.bad_year", year=year)
    given = {k: v for k, v in figures.items() if v is not None}
    if not given:
        raise UserError("targets.nothing")
    for name, value in given.items():
        if name not in NAMES:
            raise ValueError(name)
        if not 0 < value <= LIMIT:
            raise UserError("targets.bad_value", name=name, value=value, limit=LIMIT)
    save_targets(session=session, year=year, figures=given, at=utcnow(), by=by)
    record_audit(
        session=session,
        actor_telegram_id=None,
        action="target.set",
        target=str(year),
        detail=f"{by}: " + ", ".join(f"{k}={v}" for k, v in sorted(given.items())),
    )
    return fetch_targets(session=session, year=year)


def list_targets(session: Session) -> list[Targets]:
    """Every year with targets set, each with its plan fallbacks filled in."""
    return [
        fetch_targets(session=session, year=row.year)
        for row in fetch_year_targets(session=session)
    ]
