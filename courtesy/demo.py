"""A realistic year of courtesy tests for `bsmi-desk demo`: about 80 staff in the 12 seeded
units, a three-round plan, results for the rounds already past (some failing, one critical),
and corrective actions in every state. It needs only the migrated database (units are seeded
by the first migration)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from courtesy import actions, directory, report_files, reports, schedule, scoring
from courtesy.rubric import DEFAULT_TEMPLATES, SWITCHBOARD
from kernel.clock import utcnow
from storage.models import ActionStatus
from storage.queries.courtesy import TestView, fetch_actions, fetch_rounds, fetch_test_views
from storage.seeds import UNITS

PASS_MARK = 80
UNIT_SIZES = (8, 8, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6)
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明淑芬俊傑雅婷家豪怡君冠宇欣怡宗翰佩珊建宏美玲承恩詩涵文彬惠如"


def demo_directory_csv(rng: random.Random) -> str:
    """A directory CSV: 80 staff, inspectors in every unit, one switchboard operator."""
    lines = ["unit,name,extension,inspector,switchboard"]
    used: set[str] = set()
    for (code, _, _), size in zip(UNITS, UNIT_SIZES, strict=True):
        base = 100 + 10 * len(lines)
        for k in range(size):
            while True:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
                if name not in used:
                    used.add(name)
                    break
            inspector = k == 0 or (k == 1 and code.startswith("sec"))
            switchboard = code == "secretariat" and k == size - 1
            yes = {True: "yes", False: "no"}
            lines.append(f"{code},{name},{base + k},{yes[inspector]},{yes[switchboard]}")
    return "\n".join(lines) + "\n"


def _points(rng: random.Random, template: str, *, failing: bool) -> dict[str, int]:
    """Mostly full marks; a failing call loses on three items (or on all of a switchboard's)."""
    items = [i for i in DEFAULT_TEMPLATES[template][2] if i.code != "speed"]
    weak = {i.code for i in rng.sample(items, min(3, len(items)))} if failing else set()
    points: dict[str, int] = {}
    for item in items:
        choices = sorted(item.choices, reverse=True)
        if item.code in weak:
            points[item.code] = rng.choice(choices[1:3])
        else:
            points[item.code] = choices[0] if rng.random() < 0.85 else choices[1]
    return points


def _made(view: TestView) -> datetime:
    """The moment the demo's call is made: its scheduled time (in the zone it is written in)."""
    return datetime.combine(view.day, view.at, tzinfo=UTC)


def seed_demo(session: Session, *, rng: random.Random, year: int) -> None:
    """Directory, plan, results of the past rounds and actions in various states."""
    directory.import_staff(session=session, text=demo_directory_csv(rng))
    schedule.plan_year(
        session=session, year=year, target=80, per_unit=2, seed=rng.randrange(10**6)
    )
    today = utcnow().date()
    rounds = fetch_rounds(session=session, year=year)
    # Calls already made by today are scored; a year still to come gets its first round scored.
    cutoff = today if rounds[0].starts_on < today else rounds[0].ends_on + timedelta(days=1)
    critical_done = False
    for rnd in rounds:
        assert rnd.id is not None
        for view in fetch_test_views(session=session, round_ids=[rnd.id]):
            if view.retest_of_action_id is not None or view.day >= cutoff:
                continue
            failing = rng.random() < 0.2
            answered = True
            if not critical_done and view.template != SWITCHBOARD and rng.random() < 0.2:
                answered, critical_done = False, True
            scoring.record_result(
                session=session,
                code=view.code,
                points=_points(rng, view.template, failing=failing),
                pass_mark=PASS_MARK,
                recorded_by="demo",
                rings=rng.choice((1, 2, 3, 3, 4, 5)),
                answered=answered,
                note=None,
                today=view.day,
                now=_made(view),
            )
    _advance_actions(session, rng, cutoff)


def _advance_actions(session: Session, rng: random.Random, today: date) -> None:
    """Move the demo's actions along: closed by a passing retest, verified in writing,
    implemented, planned, and some left open."""
    found = fetch_actions(session=session)
    for index, action in enumerate(found):
        assert action.id is not None
        opened = action.created_at.date()
        plan = actions.ActionChange(
            correction="當場提醒受測人並說明標準應答用語",
            cause=rng.choice(("新進人員未受電話禮貌訓練", "業務繁忙漏接", "不熟悉轉接流程")),
            plan="單位內電話禮貌訓練並張貼標準應答用語",
            owner="單位主管",
            due_on=opened + timedelta(days=30),
        )
        stage = index % 5
        if stage == 4:
            continue
        done = actions.ActionChange(done_on=opened + timedelta(days=14), evidence="訓練簽到表")
        actions.update_action(
            session=session,
            action_id=action.id,
            change=plan,
            to=ActionStatus.PLANNED,
            actor="demo",
        )
        if stage == 3:
            continue
        actions.update_action(
            session=session,
            action_id=action.id,
            change=done,
            to=ActionStatus.IMPLEMENTED,
            actor="demo",
        )
        if stage == 2:
            continue
        if stage == 1:
            verified = actions.ActionChange(
                verification="主管抽測確認已改善", verified_by="秘書室主任"
            )
            actions.update_action(
                session=session,
                action_id=action.id,
                change=verified,
                to=ActionStatus.VERIFIED,
                actor="demo",
            )
            continue
        retest = next(
            (v for v in fetch_test_views(session=session) if v.id == action.retest_test_id),
            None,
        )
        if retest is None or retest.day >= today:
            continue
        scoring.record_result(
            session=session,
            code=retest.code,
            points=_points(rng, retest.template, failing=False),
            pass_mark=PASS_MARK,
            recorded_by="demo",
            rings=2,
            now=_made(retest),
        )
        actions.update_action(
            session=session,
            action_id=action.id,
            change=actions.ActionChange(),
            to=ActionStatus.CLOSED,
            actor="demo",
        )


def write_demo_report(
    session: Session, *, out: Path, year: int, language: str = "zh-TW"
) -> list[Path]:
    """The latest round with results (else round 1) and the year, as HTML, CSV and PNG."""
    today = utcnow().date()
    rounds = fetch_rounds(session=session, year=year)
    scored = {v.round_id for v in fetch_test_views(session=session, year=year, status="scored")}
    latest = ([r for r in rounds if r.id in scored] or rounds[:1])[-1]
    round_report = reports.build_round_report(
        session=session,
        year=year,
        number=latest.number,
        language=language,
        pass_mark=PASS_MARK,
        today=today,
    )
    year_report = reports.build_year_report(
        session=session, year=year, language=language, pass_mark=PASS_MARK, today=today
    )
    return report_files.write_report(round_report, out) + report_files.write_report(
        year_report, out
    )
