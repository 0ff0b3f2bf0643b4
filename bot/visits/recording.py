"""What a visit and a need may be, recording them (a visit with its needs, or a need that came
by phone or e-mail), and answering a need: each with its audit row, in the caller's
transaction. A need is due `answer_days` working days after it was raised."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from bot.notices.firms import clean_company_name, clean_tax_id
from kernel.cleaning import one_line, without_controls
from kernel.dates import parse_day
from kernel.errors import UserError
from kernel.workcalendar import add_working_days
from storage.models import FirmNeed, NeedChannel, Unit, Visit, VisitKind
from storage.queries import visits as q
from storage.queries.audit import record_audit
from storage.queries.people import fetch_units

NEED_LIMIT = 2000
"""Characters of a need's text or its answer."""
NEEDS_PER_VISIT = 20


def parse_on(raw: str | None, *, today: date) -> date:
    """A day typed as 2027-03-12 or 116/03/12, today when not given; not after today."""
    if raw is None or not raw.strip():
        return today
    day = parse_day(raw)
    if day is None:
        raise UserError("visits.bad_date", value=raw.strip()[:20])
    if day > today:
        raise UserError("visits.future_date", value=raw.strip()[:20])
    return day


def units_to_choose(session: Session) -> list[Unit]:
    """The active units, in the directory's order."""
    return fetch_units(session=session)


def find_unit(session: Session, text: str) -> Unit:
    """An active unit by its code, Chinese or English name (any case)."""
    wanted = text.strip().casefold()
    for unit in fetch_units(session=session):
        if wanted in (unit.code.casefold(), unit.name_zh.casefold(), unit.name_en.casefold()):
            return unit
    raise UserError("visits.unknown_unit", value=text.strip()[:32])


def clean_firm(raw: str | None) -> str | None:
    """The firm's name on one line, or None when not given."""
    if raw is None or not one_line(raw):
        return None
    return clean_company_name(raw)


def clean_kind(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {k.value for k in VisitKind}:
        raise UserError("visits.bad_kind", value=raw.strip()[:20])
    return value


def clean_channel(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {c.value for c in NeedChannel}:
        raise UserError("visits.bad_channel", value=raw.strip()[:20])
    return value


def clean_text(raw: str) -> str:
    """A need's text or an answer: control characters out, 1 to 2,000 characters."""
    value = without_controls(raw).strip()
    if not value:
        raise UserError("visits.text_empty")
    if len(value) > NEED_LIMIT:
        raise UserError("visits.text_too_long", limit=NEED_LIMIT, length=len(value))
    return value


@dataclass
class VisitDraft:
    """A visit as given (the CLI's options, or the chat's steps; kept in user data as JSON)."""

    on: str | None = None
    unit: str = ""
    tax_id: str = ""
    firm: str | None = None
    kind: str = VisitKind.CARE.value
    needs: list[str] = field(default_factory=list)

    def add_need(self, text: str) -> None:
        """One more need, checked; UserError if it is empty, too long or one too many."""
        if len(self.needs) >= NEEDS_PER_VISIT:
            raise UserError("visits.too_many_needs", limit=NEEDS_PER_VISIT)
        self.needs.append(clean_text(text))

    def to_dict(self) -> dict[str, object]:
        return {
            "on": self.on,
            "unit": self.unit,
            "tax_id": self.tax_id,
            "firm": self.firm,
            "kind": self.kind,
            "needs": list(self.needs),
        }

    @classmethod
    def from_dict(cls, data: object) -> VisitDraft:
        found = data if isinstance(data, dict) else {}

        def text(key: str) -> str | None:
            value = found.get(key)
            return value if isinstance(value, str) else None

        needs = found.get("needs")
        return cls(
            on=text("on"),
            unit=text("unit") or "",
            tax_id=text("tax_id") or "",
            firm=text("firm"),
            kind=text("kind") or VisitKind.CARE.value,
            needs=[n for n in needs if isinstance(n, str)] if isinstance(needs, list) else [],
        )


@dataclass(frozen=True)
class Recorded:
    visit: Visit
    unit: Unit
    needs: list[FirmNeed]


def _need(
    *,
    unit: Unit,
    tax_id: str,
    firm: str | None,
    channel: str,
    text: str,
    on: date,
    days: int,
    by: str,
) -> FirmNeed:
    assert unit.id is not None
    return FirmNeed(
        unit_id=unit.id,
        tax_id=tax_id,
        firm_name=firm,
        channel=channel,
        text=clean_text(text),
        raised_on=on,
        due_on=add_working_days(on, days),
        recorded_by=by,
    )


@dataclass(frozen=True)
class CheckedVisit:
    """A draft checked whole: what would be stored, and the needs' deadline."""

    on: date
    unit: Unit
    tax_id: str
    firm: str | None
    kind: str
    needs: list[str]
    due: date


def check_visit(
    session: Session, *, draft: VisitDraft, today: date, answer_days: int
) -> CheckedVisit:
    """Every field of the draft checked (the preview shows this); UserError naming the first
    wrong one."""
    if len(draft.needs) > NEEDS_PER_VISIT:
        raise UserError("visits.too_many_needs", limit=NEEDS_PER_VISIT)
    on = parse_on(draft.on, today=today)
    return CheckedVisit(
        on=on,
        unit=find_unit(session, draft.unit),
        tax_id=clean_tax_id(draft.tax_id),
        firm=clean_firm(draft.firm),
        kind=clean_kind(draft.kind),
        needs=[clean_text(text) for text in draft.needs],
        due=add_working_days(on, answer_days),
    )


def record_visit(
    session: Session,
    *,
    draft: VisitDraft,
    today: date,
    answer_days: int,
    by: str,
    actor_telegram_id: int | None,
) -> Recorded:
    """Check the draft whole, then store the visit and its needs (each due `answer_days`
    working days after the visit) with a `visit.add` audit row; UserError stores nothing."""
    checked = check_visit(session, draft=draft, today=today, answer_days=answer_days)
    unit = checked.unit
    needs = [
        _need(
            unit=unit,
            tax_id=checked.tax_id,
            firm=checked.firm,
            channel=NeedChannel.VISIT.value,
            text=text,
            on=checked.on,
            days=answer_days,
            by=by,
        )
        for text in checked.needs
    ]
    assert unit.id is not None
    visit = q.save_visit(
        session=session,
        visit=Visit(
            visited_on=checked.on,
            unit_id=unit.id,
            tax_id=checked.tax_id,
            firm_name=checked.firm,
            kind=checked.kind,
            recorded_by=by,
        ),
        needs=needs,
    )
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="visit.add",
        target=str(visit.id),
        detail=f"unit={unit.code} kind={checked.kind} on={checked.on.isoformat()} "
        f"needs={len(needs)}",
    )
    return Recorded(visit, unit, needs)


def record_need(
    session: Session,
    *,
    unit: str,
    tax_id: str,
    channel: str,
    text: str,
    on: str | None,
    firm: str | None,
    today: date,
    answer_days: int,
    by: str,
    actor_telegram_id: int | None,
) -> FirmNeed:
    """A need that came without a visit (by phone or e-mail), with a `visit.need` audit row."""
    found = find_unit(session, unit)
    need = q.save_need(
        session=session,
        need=_need(
            unit=found,
            tax_id=clean_tax_id(tax_id),
            firm=clean_firm(firm),
            channel=clean_channel(channel),
            text=text,
            on=parse_on(on, today=today),
            days=answer_days,
            by=by,
        ),
    )
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="visit.need",
        target=str(need.id),
        detail=f"unit={found.code} channel={need.channel}",
    )
    return need


def open_need(session: Session, *, need_id: int, unit_ids: frozenset[int] | None) -> FirmNeed:
    """The unanswered need `need_id`, locked; of one of `unit_ids` unless None (the
    secretariat and the CLI see every unit's)."""
    need = q.fetch_need(session=session, need_id=need_id, for_update=True)
    if need is None or (unit_ids is not None and need.unit_id not in unit_ids):
        raise UserError("visits.no_need", need_id=need_id)
    if need.answered_on is not None:
        raise UserError("visits.already_answered", need_id=need_id)
    return need


def answer_need(
    session: Session,
    *,
    need_id: int,
    text: str,
    on: str | None,
    today: date,
    by: str,
    actor_telegram_id: int | None,
    unit_ids: frozenset[int] | None = None,
) -> FirmNeed:
    """Answer an open need on `on` (today by default, not before it was raised), with a
    `visit.answer` audit row; UserError if it is unknown, not the person's unit's or answered."""
    need = open_need(session, need_id=need_id, unit_ids=unit_ids)
    answer = clean_text(text)
    day = parse_on(on, today=today)
    if day < need.raised_on:
        raise UserError("visits.answer_before_raised", raised=need.raised_on)
    need.answer, need.answered_on, need.answered_by = answer, day, by
    session.add(need)
    session.flush()
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="visit.answer",
        target=str(need.id),
        detail=f"on={day.isoformat()} {'on_time' if day <= need.due_on else 'late'}",
    )
    return need
