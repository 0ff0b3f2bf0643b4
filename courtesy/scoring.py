"""Recording results: one call at a time (chat or CLI) or a whole CSV file at once.

A result is refused, with one sentence, for an unknown call or item, points an item does not
allow, a call already scored (unless amending, which keeps the old result as history), a call
whose scheduled date and time have not come yet (the test is unannounced: a score before the
call defeats it; the command line's `--early` overrides this, audited as courtesy.score.early)
and, when the recorder is known, a call assigned to another inspector. A failing result opens a
corrective action (see courtesy.actions).

The results CSV has the header ``test_id`` plus any of ``inspector`` (the recording inspector's
extension), ``rings``, ``seconds``, ``answered`` (yes/no), ``note`` and one column per item
code; items not in the call's rubric are left empty. Every bad row is listed and nothing is
recorded then.

The chat's use cases (`open_calls_of`, `begin_scoring`, `record_scored_call`) each run in one
transaction and write their audit row in it; the state between the chat's steps is
courtesy.scoring_state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from courtesy.actions import open_action
from courtesy.directory import RowErrors, RowProblem, parse_flag, read_csv
from courtesy.rubric import Item, Rubric, Score, score, speed_points
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models import CourtesyResult, CourtesyRubric, CourtesyTest, TestStatus
from storage.queries.audit import record_audit
from storage.queries.courtesy import (
    TestView,
    fetch_action_for_test,
    fetch_current_result,
    fetch_latest_rubric,
    fetch_staff,
    fetch_staff_by_extension,
    fetch_staff_for_person,
    fetch_test,
    fetch_test_view,
    fetch_test_views,
)

MAX_RINGS = 99
MAX_SECONDS = 3600
MAX_RETEST_DAYS = 366


def rubric_from_row(row: CourtesyRubric) -> Rubric:
    assert row.id is not None
    return Rubric(
        id=row.id,
        template=row.template,
        version=row.version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        items=tuple(Item.from_json(i) for i in row.items),
    )


def rubric_for_test(session: Session, *, test: CourtesyTest) -> Rubric:
    """The rubric a call is scored with: the version its current result used, else the newest
    version of the called person's template."""
    assert test.id is not None
    current = fetch_current_result(session=session, test_id=test.id)
    if current is not None:
        row = session.get(CourtesyRubric, current.rubric_id)
    else:
        staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
        row = fetch_latest_rubric(session=session, template=staff[test.staff_id].template)
    if row is None:
        raise UserError("courtesy.errors.no_rubric")
    return rubric_from_row(row)


def too_early(code: str, day: date, at: time, *, now: datetime) -> UserError | None:
    """The refusal when call `code`, scheduled on `day` at `at`, is still ahead of `now` (aware,
    in the zone the calls are scheduled in: the branch's), else None."""
    if now >= datetime.combine(day, at, tzinfo=now.tzinfo):
        return None
    return UserError("courtesy.errors.too_early", test=code, day=day, time=f"{at:%H:%M}")


@dataclass(frozen=True)
class Recorded:
    code: str
    score: Score
    rubric: Rubric
    action_id: int | None
    retest_code: str | None
    amended: bool


def record_result(
    session: Session,
    *,
    code: str,
    points: dict[str, int],
    pass_mark: int,
    recorded_by: str,
    now: datetime,
    early: bool = False,
    rings: int | None = None,
    seconds: int | None = None,
    answered: bool = True,
    note: str | None = None,
    inspector_ids: Sequence[int] | None = None,
    amend: bool = False,
    retest_days: int | None = None,
    today: date | None = None,
) -> Recorded:
    """Score one call at `now` (see `too_early`; `early` allows it before its time, and the
    audit log says so), store it, and open a corrective action if it fails."""
    test = fetch_test(session=session, code=code)
    if test is None:
        raise UserError("courtesy.errors.unknown_test", test=code[:32])
    assert test.id is not None
    if inspector_ids is not None and test.inspector_id not in inspector_ids:
        raise UserError("courtesy.errors.not_yours", test=test.code)
    refusal = too_early(test.code, test.scheduled_on, test.scheduled_time, now=now)
    if refusal is not None and not early:
        raise refusal
    if refusal is not None:
        record_audit(
            session=session,
            actor_telegram_id=None,
            action="courtesy.score.early",
            target=test.code,
            detail=recorded_by[:128],
        )
    if rings is not None and not 0 <= rings <= MAX_RINGS:
        raise UserError("courtesy.errors.bad_rings", rings=MAX_RINGS, seconds=MAX_SECONDS)
    if seconds is not None and not 0 <= seconds <= MAX_SECONDS:
        raise UserError("courtesy.errors.bad_rings", rings=MAX_RINGS, seconds=MAX_SECONDS)
    if retest_days is not None and not 1 <= retest_days <= MAX_RETEST_DAYS:
        raise UserError("courtesy.errors.bad_retest_days", most=MAX_RETEST_DAYS)
    current = fetch_current_result(session=session, test_id=test.id)
    if current is not None and not amend:
        raise UserError("courtesy.errors.already_scored", test=test.code)
    rubric = rubric_for_test(session=session, test=test)
    given = dict(points)
    if "speed" not in given and any(i.code == "speed" for i in rubric.items):
        given["speed"] = speed_points(rings=rings, seconds=seconds, answered=answered)
    outcome = score(rubric, given, pass_mark=pass_mark)
    if current is not None:
        current.superseded_at = utcnow()
        session.add(current)
    session.add(
        CourtesyResult(
            test_id=test.id,
            rubric_id=rubric.id,
            rings=rings,
            seconds=seconds,
            points=outcome.points,
            total=outcome.total,
            grade=outcome.grade,
            passed=outcome.passed,
            critical_failed=outcome.critical_failed,
            note=note or None,
            recorded_by=recorded_by[:128],
        )
    )
    test.status = TestStatus.SCORED.value
    session.add(test)
    session.flush()
    action_id = retest_code = None
    if not outcome.passed and fetch_action_for_test(session=session, test_id=test.id) is None:
        action = open_action(
            session=session,
            test=test,
            rubric=rubric,
            result=outcome,
            pass_mark=pass_mark,
            today=today or test.scheduled_on,
            retest_days=retest_days,
        )
        action_id = action.id
        retest = session.get(CourtesyTest, action.retest_test_id)
        retest_code = retest.code if retest else None
    return Recorded(test.code, outcome, rubric, action_id, retest_code, current is not None)


def import_results(
    session: Session,
    *,
    text: str,
    pass_mark: int,
    recorded_by: str,
    now: datetime,
    early: bool = False,
    amend: bool = False,
    retest_days: int | None = None,
    today: date | None = None,
) -> list[Recorded]:
    """Record every row of a results CSV at `now` (`early` as in `record_result`), or none of
    them if any row is wrong."""
    header, rows = read_csv(text, required=("test_id",), any_other=True)
    fixed = {"test_id", "inspector", "rings", "seconds", "answered", "note"}
    item_columns = [h for h in header if h not in fixed]
    problems: list[RowProblem] = []
    done: list[Recorded] = []
    for line, row in rows:
        try:
            points = {}
            for column in item_columns:
                if row.get(column, ""):
                    if not row[column].lstrip("-").isdigit():
                        raise UserError("courtesy.results.not_number", column=column)
                    points[column] = int(row[column])
            numbers = {}
            for column in ("rings", "seconds"):
                value = row.get(column, "")
                if value and not value.isdigit():
                    raise UserError("courtesy.results.not_number", column=column)
                numbers[column] = int(value) if value else None
            answered = parse_flag(row.get("answered", "") or "yes")
            if answered is None:
                raise UserError("courtesy.results.not_flag", column="answered")
            inspector_ids = None
            if row.get("inspector"):
                inspector_ids = inspector_ids_by_extension(
                    session=session, extension=row["inspector"]
                )
            with session.begin_nested():
                done.append(
                    record_result(
                        session=session,
                        code=row["test_id"],
                        points=points,
                        pass_mark=pass_mark,
                        recorded_by=recorded_by,
                        now=now,
                        early=early,
                        rings=numbers["rings"],
                        seconds=numbers["seconds"],
                        answered=answered,
                        note=row.get("note") or None,
                        inspector_ids=inspector_ids,
                        amend=amend,
                        retest_days=retest_days,
                        today=today,
                    )
                )
        except UserError as exc:
            problems.append(RowProblem(line, exc.key, exc.values))
    if problems:
        problems.sort(key=lambda p: p.line)
        raise RowErrors("courtesy.results.bad_rows", problems)
    if not done:
        raise UserError("courtesy.results.empty")
    return done


@dataclass(frozen=True)
class ScoringStart:
    """What the chat needs to walk an inspector through one call's items."""

    view: TestView
    rubric: Rubric


def start_scoring(session: Session, *, code: str, person_id: int, now: datetime) -> ScoringStart:
    """Check that the call exists, is this person's, is not scored yet and its time has come
    (server side)."""
    view = fetch_test_view(session=session, code=code)
    if view is None:
        raise UserError("courtesy.errors.unknown_test", test=code[:32])
    mine = [s.id for s in fetch_staff_for_person(session=session, person_id=person_id)]
    if view.inspector_id not in mine:
        raise UserError("courtesy.errors.not_yours", test=view.code)
    if view.status == TestStatus.SCORED.value:
        raise UserError("courtesy.errors.already_scored", test=view.code)
    refusal = too_early(view.code, view.day, view.at, now=now)
    if refusal is not None:
        raise refusal
    test = fetch_test(session=session, code=view.code)
    assert test is not None
    return ScoringStart(view=view, rubric=rubric_for_test(session=session, test=test))


def inspector_ids_of(session: Session, *, person_id: int) -> list[int]:
    """The directory rows (staff ids) linked to a Telegram person."""
    return [s.id or 0 for s in fetch_staff_for_person(session=session, person_id=person_id)]


@dataclass(frozen=True)
class Refusal:
    """A request refused with an audit row: returned rather than raised, so the row commits."""

    key: str
    values: dict[str, Any]


def open_calls_of(session: Session, *, person_id: int) -> list[TestView] | None:
    """/tests: the calls still to make and score of the inspector linked to `person_id`, or
    None when that person is not linked to the directory."""
    ids = inspector_ids_of(session=session, person_id=person_id)
    if not ids:
        return None
    return fetch_test_views(session=session, inspector_ids=ids, status=TestStatus.PLANNED.value)


def begin_scoring(
    session: Session, *, code: str, person_id: int, by: int, now: datetime
) -> ScoringStart | Refusal:
    """/score CODE by Telegram user `by`: the call and its rubric, or the refusal, audited as
    courtesy.score.refused. A person not linked to the directory gets a UserError and no row."""
    if not inspector_ids_of(session=session, person_id=person_id):
        raise UserError("courtesy.tests.not_linked", telegram_id=by)
    try:
        return start_scoring(session=session, code=code, person_id=person_id, now=now)
    except UserError as exc:
        record_audit(
            session=session,
            actor_telegram_id=by,
            action="courtesy.score.refused",
            target=code[:32],
            detail=exc.key,
        )
        return Refusal(exc.key, dict(exc.values))


def record_scored_call(
    session: Session,
    *,
    code: str,
    points: dict[str, int],
    note: str | None,
    pass_mark: int,
    person_id: int,
    by: int,
    now: datetime,
) -> Recorded:
    """The chat's confirmed scoring at `now` (aware, the branch's zone): the call must still be
    this inspector's, unscored and due; the result (and any corrective action) and its audit
    row are written together."""
    recorded = record_result(
        session=session,
        code=code,
        points=points,
        pass_mark=pass_mark,
        recorded_by=f"telegram:{by}",
        now=now,
        note=note,
        inspector_ids=inspector_ids_of(session=session, person_id=person_id),
        today=now.date(),
    )
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="courtesy.score",
        target=recorded.code,
        detail=f"{recorded.score.total:g}",
    )
    return recorded


def inspector_ids_by_extension(session: Session, *, extension: str) -> list[int]:
    """The directory row of the recording inspector named by extension, as `inspector_ids`."""
    inspector = fetch_staff_by_extension(session=session, extension=extension)
    if inspector is None:
        raise UserError("courtesy.errors.unknown_extension", extension=extension)
    return [inspector.id or 0]


def record_by_extension(session: Session, *, by: str | None, **result: Any) -> Recorded:
    """`record_result` from the command line: `by` is the recording inspector's extension (only
    their calls then), None for the secretariat; `recorded_by` says which."""
    ids = inspector_ids_by_extension(session=session, extension=by) if by is not None else None
    return record_result(
        session=session, inspector_ids=ids, recorded_by=f"cli:{by}" if by else "cli", **result
    )
