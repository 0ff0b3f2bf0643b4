"""The review panel's scores: the five dimensions of 附表1 and their maxima, the grade of a
total, recording (changes keep history until the period is published), the CSV import (all
rows or none), follow-ups, publication and the period's state.

Every use case checks, changes and writes its audit row in one transaction; `by` names who
did it (`cli:<user>` or `telegram:<id>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from kernel import periods
from kernel.clock import utcnow
from kernel.csvread import read_csv_table
from kernel.errors import UserError
from kernel.periods import Period
from kernel.reporting import TAIPEI
from kernel.textfiles import SentFile
from storage.models import AssessmentScore, Unit
from storage.queries.assessment import (
    add_follow_up,
    fetch_current_scores,
    fetch_follow_ups,
    fetch_publication,
    lock_period,
    save_publication,
    save_score,
)
from storage.queries.audit import record_audit
from storage.queries.people import fetch_units


@dataclass(frozen=True)
class Dimension:
    key: str
    """The option and CSV column: basic, delivery, capacity, evaluation, innovation."""
    maximum: int


DIMENSIONS = (
    Dimension("basic", 200),  # 基礎服務
    Dimension("delivery", 300),  # 服務遞送
    Dimension("capacity", 200),  # 服務量能
    Dimension("evaluation", 200),  # 服務評價
    Dimension("innovation", 100),  # 開放創新
)
TOTAL = sum(d.maximum for d in DIMENSIONS)

GRADES = ((900, "excellent"), (800, "a"), (700, "b"), (600, "c"), (0, "d"))
"""優 ≥ 900, 甲 800–899, 乙 700–799, 丙 600–699, 丁 ≤ 599 (catalogue `assessment.grade.*`)."""


def grade_for(total: int) -> str:
    """The grade key of a total out of 1000."""
    if not 0 <= total <= TOTAL:
        raise ValueError(total)
    return next(grade for lower, grade in GRADES if total >= lower)


def total_of(score: AssessmentScore) -> int:
    return sum(int(getattr(score, d.key)) for d in DIMENSIONS)


_INTEGER = re.compile(r"^[0-9]+$")


def parse_points(dimension: Dimension, text: str, *, row: int | None = None) -> int:
    """A dimension's points: a whole number from 0 to its maximum."""
    value = text.strip()
    where = {"row": row} if row is not None else {}
    if not _INTEGER.match(value.lstrip("-")) or "." in value:
        key = "assessment.row_not_integer" if row is not None else "assessment.not_integer"
        raise UserError(key, dimension=dimension.key, value=value[:12], **where)
    points = int(value)
    if not 0 <= points <= dimension.maximum:
        key = "assessment.row_out_of_range" if row is not None else "assessment.out_of_range"
        raise UserError(
            key,
            dimension=dimension.key,
            value=points,
            maximum=dimension.maximum,
            **where,
        )
    return points


def parse_month(text: str | None, *, today: date, row: int | None = None) -> str:
    """考核年月 as `YYYY-MM`; this month when not given."""
    if text is None or not text.strip():
        return f"{today.year:04d}-{today.month:02d}"
    found = periods.parse_month(text)
    if found is None:
        if row is not None:
            raise UserError("assessment.row_bad_month", value=text.strip()[:12], row=row)
        raise UserError("assessment.bad_month", value=text.strip()[:12])
    return found.code


def find_unit(session: Session, text: str, *, row: int | None = None) -> Unit:
    """A unit by its code, Chinese or English name (any case, spaces trimmed)."""
    wanted = text.strip().casefold()
    for unit in fetch_units(session=session):
        if wanted in (unit.code.casefold(), unit.name_zh.casefold(), unit.name_en.casefold()):
            return unit
    if row is not None:
        raise UserError("assessment.row_unknown_unit", value=text.strip()[:32], row=row)
    raise UserError("assessment.unknown_unit", value=text.strip()[:32])


def _check_open(session: Session, period: Period) -> None:
    """Take the period's lock (held to commit) and refuse if it is published: every writer of
    scores and the publication itself call this first, so none of them interleave."""
    lock_period(session=session, period=period.code)
    if fetch_publication(session=session, period=period.code) is not None:
        raise UserError("assessment.locked", period=period.code)


@dataclass(frozen=True)
class ScoreInput:
    unit: str
    points: dict[str, str]
    assessed_on: str | None = None
    note: str | None = None


def _build(
    session: Session, period: Period, given: ScoreInput, *, today: date, by: str, row: int | None
) -> AssessmentScore:
    unit = find_unit(session, given.unit, row=row)
    points = {d.key: parse_points(d, given.points.get(d.key, ""), row=row) for d in DIMENSIONS}
    note = (given.note or "").strip() or None
    return AssessmentScore(
        period=period.code,
        unit_id=unit.id or 0,
        basic=points["basic"],
        delivery=points["delivery"],
        capacity=points["capacity"],
        evaluation=points["evaluation"],
        innovation=points["innovation"],
        assessed_on=parse_month(given.assessed_on, today=today, row=row),
        note=note[:500] if note else None,
        recorded_by=by,
        recorded_at=utcnow(),
    )


@dataclass(frozen=True)
class Recorded:
    score: AssessmentScore
    unit: Unit

    @property
    def total(self) -> int:
        return total_of(self.score)


def check_score(
    session: Session, *, period: Period, given: ScoreInput, today: date, by: str
) -> Recorded:
    """One unit's scores checked as `record_score` checks them, not saved (chat's preview
    before 「儲存」); refused once the period is published. Reads only."""
    if fetch_publication(session=session, period=period.code) is not None:
        raise UserError("assessment.locked", period=period.code)
    score = _build(session, period, given, today=today, by=by, row=None)
    unit = session.get(Unit, score.unit_id)
    assert unit is not None
    return Recorded(score, unit)


def record_score(
    session: Session,
    *,
    period: Period,
    given: ScoreInput,
    today: date,
    by: str,
    actor_telegram_id: int | None = None,
) -> Recorded:
    """Record one unit's scores (a change keeps the earlier row as history); refused once
    the period is published. The audit row names the Telegram account when it came from
    chat."""
    _check_open(session, period)
    score = save_score(
        session=session, score=_build(session, period, given, today=today, by=by, row=None)
    )
    unit = session.get(Unit, score.unit_id)
    assert unit is not None
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="assessment.score",
        target=f"{period.code}:{unit.code}",
        detail=by,
    )
    return Recorded(score, unit)


COLUMNS = ("unit", "basic", "delivery", "capacity", "evaluation", "innovation")
OPTIONAL = ("assessed_on", "note")


class ScoreRows(UserError):
    """Rows of a scores CSV that are wrong: the error is the first one's (the command line
    says that one); `problems` holds every one, each a sentence naming its row."""

    def __init__(self, problems: list[UserError]) -> None:
        super().__init__(problems[0].key, **problems[0].values)
        self.problems = problems


@dataclass(frozen=True)
class ScoreCheck:
    """A scores CSV checked whole: the rows to save, and the units scored before (changed)."""

    built: list[AssessmentScore]
    changed: int

    @property
    def added(self) -> int:
        return len(self.built) - self.changed


def check_scores(
    session: Session, *, period: Period, text: str, today: date, by: str
) -> ScoreCheck:
    """Every row of a CSV (`unit,basic,delivery,capacity,evaluation,innovation[,assessed_on,
    note]`) checked (ScoreRows naming every bad row), refused once the period is published;
    reads only."""
    if fetch_publication(session=session, period=period.code) is not None:
        raise UserError("assessment.locked", period=period.code)
    table = read_csv_table(text, required=COLUMNS, optional=OPTIONAL)
    built: list[AssessmentScore] = []
    problems: list[UserError] = []
    seen: dict[int, int] = {}
    for number, values in table.rows:
        try:
            score = _build(
                session,
                period,
                ScoreInput(
                    unit=values.get("unit", ""),
                    points={d.key: values.get(d.key, "") for d in DIMENSIONS},
                    assessed_on=values.get("assessed_on"),
                    note=values.get("note"),
                ),
                today=today,
                by=by,
                row=number,
            )
        except UserError as error:
            problems.append(error)
            continue
        if score.unit_id in seen:
            problems.append(
                UserError("assessment.csv_twice", row=number, first=seen[score.unit_id])
            )
            continue
        seen[score.unit_id] = number
        built.append(score)
    if problems:
        raise ScoreRows(problems)
    if not built:
        raise UserError("assessment.csv_empty")
    before = fetch_current_scores(session=session, period=period.code)
    return ScoreCheck(built, sum(1 for score in built if score.unit_id in before))


def import_scores(
    session: Session,
    *,
    period: Period,
    text: str,
    today: date,
    by: str,
    sent: SentFile | None = None,
) -> list[AssessmentScore]:
    """Every row of a CSV, all checked (`check_scores`) before any is written: all rows or
    none; a file sent in chat is named in the audit row."""
    _check_open(session, period)
    built = check_scores(session, period=period, text=text, today=today, by=by).built
    for score in built:
        save_score(session=session, score=score)
    record_audit(
        session=session,
        actor_telegram_id=sent.telegram_id if sent else None,
        action="assessment.import",
        target=period.code,
        detail=sent.audit_detail(by=by, units=len(built)) if sent else f"{by}: {len(built)}",
    )
    return built


def follow_up(
    session: Session,
    *,
    period: Period,
    unit_text: str,
    text: str,
    by: str,
    actor_telegram_id: int | None = None,
) -> Unit:
    """Add 考核結果處理情形 for a unit (allowed after publication: it is what follows it)."""
    unit = find_unit(session, unit_text)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserError("assessment.empty_follow_up")
    add_follow_up(
        session=session,
        period=period.code,
        unit_id=unit.id or 0,
        text=cleaned[:1000],
        at=utcnow(),
        by=by,
    )
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="assessment.follow_up",
        target=f"{period.code}:{unit.code}",
        detail=by,
    )
    return unit


@dataclass(frozen=True)
class State:
    """Where a period stands: units scored of all, who is missing, published or not."""

    period: Period
    units: list[Unit]
    scores: dict[int, AssessmentScore]
    follow_ups: dict[int, list[str]]
    published_on: date | None

    @property
    def missing(self) -> list[Unit]:
        return [u for u in self.units if u.id not in self.scores]

    @property
    def scored(self) -> int:
        return len(self.units) - len(self.missing)


def period_state(session: Session, *, period: Period) -> State:
    """The period's scores, follow-ups and publication."""
    publication = fetch_publication(session=session, period=period.code)
    return State(
        period=period,
        units=fetch_units(session=session),
        scores=fetch_current_scores(session=session, period=period.code),
        follow_ups={
            unit_id: [f.text for f in rows]
            for unit_id, rows in fetch_follow_ups(session=session, period=period.code).items()
        },
        published_on=publication.published_at.astimezone(TAIPEI).date() if publication else None,
    )


def check_publish(session: Session, *, period: Period, language: str) -> State:
    """The period as `publish` would find it: refused once published, and, naming them, while
    a unit is unscored (chat's confirmation before publishing). Reads only."""
    state = period_state(session=session, period=period)
    if state.published_on is not None:
        raise UserError("assessment.locked", period=period.code)
    if state.missing:
        raise UserError(
            "assessment.unscored",
            period=period.code,
            count=len(state.missing),
            units="、".join(u.name_in(language) for u in state.missing)
            if language == "zh-TW"
            else ", ".join(u.name_in(language) for u in state.missing),
        )
    return state


def publish(
    session: Session,
    *,
    period: Period,
    by: str,
    language: str,
    actor_telegram_id: int | None = None,
) -> State:
    """Publish the period and lock its scores; refused, naming them, while a unit is
    unscored."""
    _check_open(session, period)
    check_publish(session, period=period, language=language)
    save_publication(session=session, period=period.code, at=utcnow(), by=by)
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="assessment.publish",
        target=period.code,
        detail=by,
    )
    return period_state(session=session, period=period)
