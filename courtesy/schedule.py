"""A year's courtesy schedule in the database: the directory as the planner sees it, a plan
drawn and stored (replacing one without results), the stored calls read back, as views or as
CSV, and the chat's two steps: a draw previewed without storing it, then the same draw stored
(refused if its inputs changed), each audited. The rules of the draw are `courtesy.planner`'s."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime

from sqlmodel import Session

from courtesy.planner import Plan, StaffEntry, check_year, draw_plan, due_date, window
from courtesy.schedule_csv import csv_text, view_rows
from kernel.errors import UserError
from kernel.reporting import (
    format_period,
    format_stamp,
    plain,
    produced_now,
    use_roc,
)
from storage.models import CourtesyRound, CourtesyTest
from storage.queries.assessment import fetch_targets
from storage.queries.audit import record_audit
from storage.queries.courtesy import (
    TestView,
    count_results_in_year,
    delete_year_plan,
    fetch_round,
    fetch_rounds,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)
from storage.queries.people import fetch_units


def directory_entries(session: Session) -> tuple[list[StaffEntry], list[str]]:
    """Active staff as planner entries, and the active units that must be covered."""
    units = fetch_unit_codes(session=session)
    entries = [
        StaffEntry(
            id=s.id or 0,
            unit=units[s.unit_id].code,
            name=s.name,
            extension=s.extension,
            is_inspector=s.is_inspector,
        )
        for s in fetch_staff(session=session)
    ]
    required = [u.code for u in fetch_units(session=session)]
    return entries, required


@dataclass(frozen=True)
class Drawn:
    """A year's plan drawn and not yet stored, with the inputs it was drawn from; its
    `fingerprint` changes when any of them or any call does."""

    plan: Plan
    staff: list[StaffEntry]
    units: list[str]
    target: int
    per_unit: int

    @property
    def fingerprint(self) -> str:
        inputs = (
            self.plan.year,
            self.plan.seed,
            self.target,
            self.per_unit,
            self.plan.calendar_published,
            sorted(astuple(p) for p in self.staff),
            sorted(self.units),
            [
                (c.round, c.seq, c.day.isoformat(), c.at.isoformat(), c.staff_id, c.inspector_id)
                for c in self.plan.calls
            ],
        )
        return hashlib.sha256(repr(inputs).encode()).hexdigest()[:32]


def draw_year(
    session: Session, *, year: int, target: int = 80, per_unit: int = 2, seed: int | None = None
) -> Drawn:
    """Draw a year's three rounds from the directory as it stands, storing nothing; refused
    for a year that has results (its plan cannot be drawn again)."""
    check_year(year)
    if seed is not None and not 0 <= seed < 2**31:
        raise UserError("courtesy.plan.bad_seed", most=2**31 - 1)
    if count_results_in_year(session=session, year=year):
        raise UserError("courtesy.plan.has_results", year=year)
    entries, required = directory_entries(session=session)
    plan = draw_plan(
        staff=entries,
        units=required,
        year=year,
        target=target,
        per_unit=per_unit,
        seed=year if seed is None else seed,
    )
    return Drawn(plan, entries, required, target, per_unit)


def store_plan(session: Session, *, plan: Plan) -> None:
    """Store a drawn plan as the year's, replacing its planned calls (retests kept)."""
    year = plan.year
    delete_year_plan(session=session, year=year)
    round_ids: dict[int, int] = {}
    for number in (1, 2, 3):
        first, last = window(year, number)
        row = fetch_round(session=session, year=year, number=number) or CourtesyRound(
            year=year, number=number, starts_on=first, ends_on=last, due_on=first, seed=0
        )
        row.starts_on, row.ends_on, row.due_on = first, last, due_date(year, number)
        row.seed, row.calendar_published = plan.seed, plan.calendar_published
        session.add(row)
        session.flush()
        assert row.id is not None
        round_ids[number] = row.id
    session.add_all(
        CourtesyTest(
            code=call.code(year),
            round_id=round_ids[call.round],
            staff_id=call.staff_id,
            inspector_id=call.inspector_id,
            scheduled_on=call.day,
            scheduled_time=call.at,
        )
        for call in plan.calls
    )
    session.flush()


def plan_year(
    session: Session, *, year: int, target: int = 80, per_unit: int = 2, seed: int | None = None
) -> Plan:
    """Draw and store a year's three rounds, replacing a plan that has no results yet."""
    drawn = draw_year(session, year=year, target=target, per_unit=per_unit, seed=seed)
    store_plan(session, plan=drawn.plan)
    return drawn.plan


def schedule_views(session: Session, *, year: int) -> list[TestView]:
    """The stored calls of `year` (retests included) in round, date and time order."""
    check_year(year)
    if not fetch_rounds(session=session, year=year):
        raise UserError("courtesy.plan.none", year=year)
    views = fetch_test_views(session=session, year=year)
    return sorted(views, key=lambda v: (v.round, v.day, v.at, v.code))


def schedule_csv(
    session: Session,
    *,
    year: int,
    language: str = "zh-TW",
    western: bool = False,
    produced: datetime | None = None,
) -> str:
    """The stored plan of `year` as CSV, retests included, headers in `language` and a first
    line saying which year it covers and when it was produced."""
    roc = use_roc(language, western=western)
    views = schedule_views(session=session, year=year)
    rounds = fetch_rounds(session=session, year=year)
    unit_names = {u.code: u.name_in(language) for u in fetch_units(session=session)}
    caption = plain(
        language,
        "reports.schedule.caption",
        year=year - 1911 if roc and language == "zh-TW" else year,
        period=format_period(rounds[0].starts_on, rounds[-1].ends_on, language, roc=roc),
        stamp=format_stamp(produced or produced_now(), language, roc=roc),
    )
    rows = view_rows(views, language=language, roc=roc, unit_names=unit_names)
    return csv_text(rows, language=language, caption=caption)


PLAN_YEAR = re.compile(r"[0-9]{4}")
PLAN_NUMBER = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class PlanRequest:
    """What `/courtesy_plan 2027 seed=42 target=90` asks for: the seed defaults to the year
    (as `courtesy plan` does), the target to the year's courtesy target (None here)."""

    year: int
    seed: int
    target: int | None = None


def parse_plan_request(words: Sequence[str]) -> PlanRequest:
    """The year, then `seed=N` and `target=N` in any order; UserError with the usage else."""
    if not words or not PLAN_YEAR.fullmatch(words[0]):
        raise UserError("courtesy.plan_chat.usage")
    year = int(words[0])
    check_year(year)
    options: dict[str, int] = {}
    for word in words[1:]:
        name, _, value = word.partition("=")
        name = name.lower().removeprefix("--").replace("-", "_")
        if name not in ("seed", "target") or name in options or not PLAN_NUMBER.fullmatch(value):
            raise UserError("courtesy.plan_chat.usage")
        options[name] = int(value)
    seed = options.get("seed", year)
    if not 0 <= seed < 2**31:
        raise UserError("courtesy.plan.bad_seed", most=2**31 - 1)
    return PlanRequest(year, seed, options.get("target"))


@dataclass(frozen=True)
class UnitCalls:
    """One unit's calls in each round of a drawn plan."""

    name: str
    rounds: tuple[int, ...]


@dataclass(frozen=True)
class PlanPreview:
    """A drawn plan as the chat previews it: what it was drawn from, its counts per round and
    per unit, the calls of a stored plan it would replace; nothing is stored."""

    year: int
    seed: int
    target: int
    target_source: str
    """`given` (in the command), `set` (the year's target) or `plan` (no target set)."""
    per_unit: int
    rounds: tuple[int, ...]
    units: list[UnitCalls]
    replaces: int
    calendar_published: bool
    fingerprint: str


@dataclass(frozen=True)
class SavedPlan:
    """The plan stored as previewed, with the schedule CSV `courtesy schedule --csv` prints."""

    year: int
    seed: int
    calls: int
    csv: str


@dataclass(frozen=True)
class Refused:
    """A refusal to tell the person, already in this transaction's audit log."""

    error: UserError


def _target(session: Session, *, year: int, given: int | None) -> tuple[int, str]:
    """The target to draw for and where it comes from (the CLI's default when not given)."""
    if given is not None:
        return given, "given"
    targets = fetch_targets(session=session, year=year)
    return targets.courtesy, "plan" if "courtesy" in targets.defaulted else "set"


def refuse_plan(
    session: Session, *, error: UserError, by: int | None, year: int | None = None
) -> Refused:
    """Audit a refused `/courtesy_plan` step (`courtesy.plan`, not allowed, the reason's key)."""
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="courtesy.plan",
        target=str(year) if year is not None else None,
        allowed=False,
        detail=error.key,
    )
    return Refused(error)


def preview_plan(
    session: Session, *, words: Sequence[str], by: int | None, language: str
) -> PlanPreview | Refused:
    """Draw the year's plan as `/courtesy_plan` asks (the draw `courtesy plan` makes from the
    same directory, target and seed) without storing it; a refusal is audited."""
    year = None
    try:
        request = parse_plan_request(words)
        year = request.year
        target, source = _target(session, year=year, given=request.target)
        drawn = draw_year(session, year=year, target=target, seed=request.seed)
    except UserError as error:
        return refuse_plan(session, error=error, by=by, year=year)
    names = {u.code: u.name_in(language) for u in fetch_units(session=session, active_only=False)}
    per_unit: dict[str, list[int]] = {}
    units = {p.id: p.unit for p in drawn.staff}
    for call in drawn.plan.calls:
        per_unit.setdefault(units[call.staff_id], [0, 0, 0])[call.round - 1] += 1
    order = {code: index for index, code in enumerate(names)}
    return PlanPreview(
        year=year,
        seed=drawn.plan.seed,
        target=target,
        target_source=source,
        per_unit=drawn.per_unit,
        rounds=tuple(sum(1 for c in drawn.plan.calls if c.round == n) for n in (1, 2, 3)),
        units=[
            UnitCalls(names.get(code, code), tuple(counts))
            for code, counts in sorted(per_unit.items(), key=lambda i: order.get(i[0], 999))
        ],
        replaces=sum(
            1
            for v in fetch_test_views(session=session, year=year)
            if v.retest_of_action_id is None
        ),
        calendar_published=drawn.plan.calendar_published,
        fingerprint=drawn.fingerprint,
    )


def save_plan(
    session: Session,
    *,
    year: int,
    seed: int,
    target: int | None,
    fingerprint: str,
    by: int | None,
    language: str,
) -> SavedPlan | Refused:
    """Store the plan a preview showed: drawn again from the same inputs, refused when the
    directory or the year's target changed since (or results came); audited either way."""
    try:
        chosen, _ = _target(session, year=year, given=target)
        drawn = draw_year(session, year=year, target=chosen, seed=seed)
        if drawn.fingerprint != fingerprint:
            raise UserError("courtesy.plan_chat.changed", year=year)
    except UserError as error:
        return refuse_plan(session, error=error, by=by, year=year)
    store_plan(session, plan=drawn.plan)
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="courtesy.plan",
        target=str(year),
        detail=json.dumps({"seed": seed, "target": chosen, "calls": len(drawn.plan.calls)}),
    )
    return SavedPlan(
        year, seed, len(drawn.plan.calls), schedule_csv(session, year=year, language=language)
    )
