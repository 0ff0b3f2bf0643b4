"""storage/queries/courtesy.py on a real database: the directory, rubrics, rounds, calls read
as views, results with their history, corrective actions and their events, chats and
languages of the people told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from storage.db import Database
from storage.models import (
    CourtesyAction,
    CourtesyResult,
    CourtesyRound,
    CourtesyRubric,
    CourtesyStaff,
    CourtesyTest,
)
from storage.queries import courtesy as q
from tests.storage.queries.rows import person, unit_id

AT = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Year:
    clerk: CourtesyStaff
    inspector: CourtesyStaff
    rounds: list[CourtesyRound]
    tests: list[CourtesyTest]
    rubric: CourtesyRubric


def plan(session: Session) -> Year:
    """Two rounds of 2027 and one of 2026; a clerk of sec2 called by an inspector of sec1
    (linked to a chat): two calls in round 1, one in round 2, one in 2026."""
    who = person(session, 801, language="en")
    clerk = CourtesyStaff(unit_id=unit_id(session, "sec2"), name="陳小姐", extension="302")
    inspector = CourtesyStaff(
        unit_id=unit_id(session, "sec1"),
        name="林技正",
        extension="105",
        is_inspector=True,
        person_id=who.id,
    )
    retired = CourtesyStaff(
        unit_id=unit_id(session, "sec3"), name="X", extension="900", active=False
    )
    session.add_all([clerk, inspector, retired])
    rounds = [
        CourtesyRound(
            year=y,
            number=n,
            starts_on=date(y, s, 1),
            ends_on=date(y, s, 28),
            due_on=date(y, s + 1, 5),
            seed=1,
        )
        for y, n, s in ((2027, 2, 4), (2027, 1, 1), (2026, 1, 1))
    ]
    rubric = CourtesyRubric(template="test", version=1, name_zh="測", name_en="Test", items=[])
    session.add_all([*rounds, rubric])
    session.flush()
    tests = [
        CourtesyTest(
            code=code,
            round_id=rnd.id or 0,
            staff_id=clerk.id or 0,
            inspector_id=inspector.id or 0,
            scheduled_on=day,
            scheduled_time=at,
        )
        for code, rnd, day, at in (
            ("27-1-002", rounds[1], date(2027, 1, 12), time(10)),
            ("27-1-001", rounds[1], date(2027, 1, 12), time(9)),
            ("27-2-001", rounds[0], date(2027, 4, 7), time(14)),
            ("26-1-001", rounds[2], date(2026, 1, 8), time(9)),
        )
    ]
    session.add_all(tests)
    session.flush()
    return Year(clerk, inspector, rounds, tests, rubric)


def result(session: Session, year: Year, test: CourtesyTest, passed: bool) -> CourtesyResult:
    row = CourtesyResult(
        test_id=test.id or 0,
        rubric_id=year.rubric.id or 0,
        points={},
        total=90 if passed else 50,
        grade="A" if passed else "D",
        passed=passed,
        recorded_by="inspector",
    )
    session.add(row)
    session.flush()
    return row


def test_the_directory_is_read_by_extension_and_by_the_linked_chat(db: Database) -> None:
    def run(session: Session) -> None:
        year = plan(session)
        assert [s.extension for s in q.fetch_staff(session)] == ["105", "302"]
        assert [s.extension for s in q.fetch_staff(session, active_only=False)] == [
            "105",
            "302",
            "900",
        ]
        assert q.fetch_staff_by_extension(session, extension=" 302 ") is year.clerk
        assert q.fetch_staff_by_extension(session, extension="999") is None
        linked = year.inspector.person_id
        assert linked is not None
        assert q.fetch_staff_for_person(session, person_id=linked) == [year.inspector]
        assert q.fetch_unit_codes(session)[unit_id(session, "sec2")].code == "sec2"

    db.call(run)


def test_the_latest_rubric_of_a_template_and_every_rubric_in_order(db: Database) -> None:
    def run(session: Session) -> None:
        for version in (2, 1, 3):
            session.add(
                CourtesyRubric(template="zz", version=version, name_zh="z", name_en="z", items=[])
            )
        session.flush()
        latest = q.fetch_latest_rubric(session, template="zz")
        assert latest is not None and latest.version == 3
        assert q.fetch_latest_rubric(session, template="nothing") is None
        listed = [(r.template, r.version) for r in q.fetch_rubrics(session) if r.template == "zz"]
        assert listed == [("zz", 1), ("zz", 2), ("zz", 3)]

    db.call(run)


def test_rounds_are_listed_by_year_and_number_and_calls_read_in_date_order(db: Database) -> None:
    def run(session: Session) -> None:
        year = plan(session)
        assert [(r.year, r.number) for r in q.fetch_rounds(session)] == [
            (2026, 1),
            (2027, 1),
            (2027, 2),
        ]
        assert [r.number for r in q.fetch_rounds(session, year=2027)] == [1, 2]
        assert q.fetch_round(session, year=2027, number=2) is year.rounds[0]
        assert q.fetch_round(session, year=2028, number=1) is None
        views = q.fetch_test_views(session, year=2027)
        assert [v.code for v in views] == ["27-1-001", "27-1-002", "27-2-001"]
        first = views[0]
        assert (first.round, first.due_on, first.staff_name, first.unit_code) == (
            1,
            date(2027, 2, 5),
            "陳小姐",
            "sec2",
        )
        assert (first.inspector_name, first.inspector_unit) == ("林技正", "sec1")
        assert first.inspector_person_id == year.inspector.person_id
        assert first.unit_name("zh-TW") == "第二課" and first.unit_name("en") != "第二課"
        round_two = [year.rounds[0].id or 0]
        assert [v.code for v in q.fetch_test_views(session, round_ids=round_two)] == ["27-2-001"]
        assert q.fetch_test_views(session, inspector_ids=[year.clerk.id or 0]) == []
        assert q.fetch_test_views(session, status="done") == []
        assert q.fetch_test_views(session, round_ids=[]) == []
        view = q.fetch_test_view(session, code=" #27-2-001")
        assert view is not None and view.day == date(2027, 4, 7)
        assert q.fetch_test_view(session, code="nothing") is None
        assert q.fetch_test(session, code="#26-1-001") is year.tests[3]

    db.call(run)


def test_a_new_result_supersedes_the_old_and_failures_count_current_results_only(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        year = plan(session)
        first, second, later, old = year.tests
        failed = result(session, year, first, passed=False)
        failed.superseded_at = AT
        passed = result(session, year, first, passed=True)
        result(session, year, second, passed=False)
        result(session, year, old, passed=False)
        assert q.fetch_current_result(session, test_id=first.id or 0) is passed
        assert q.fetch_current_result(session, test_id=later.id or 0) is None
        assert q.fetch_result_history(session, test_id=first.id or 0) == [failed, passed]
        current = q.fetch_current_results(session, round_ids=[year.rounds[1].id or 0])
        assert [(t.code, r.passed) for r, t in current] == [
            ("27-1-001", False),
            ("27-1-002", True),
        ]
        assert q.fetch_current_results(session, round_ids=[]) == []
        assert q.count_failures_of(session, staff_id=year.clerk.id or 0) == 2
        assert q.count_results_in_year(session, year=2027) == 3
        assert q.count_results_in_year(session, year=2026) == 1

    db.call(run)


def test_deleting_a_years_plan_keeps_its_rounds_retests_and_the_other_years(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        year = plan(session)
        year.tests[2].retest_of_action_id = 7
        session.flush()
        q.delete_year_plan(session, year=2027)
        assert [
            t.code for t in session.exec(select(CourtesyTest).order_by(CourtesyTest.code))
        ] == [
            "26-1-001",
            "27-2-001",
        ]
        assert len(q.fetch_rounds(session, year=2027)) == 2
        q.delete_year_plan(session, year=2030)  # no rounds: nothing to do

    db.call(run)


def test_actions_are_filtered_by_openness_and_staff_and_their_events_kept_in_order(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        year = plan(session)
        actions = [
            CourtesyAction(
                test_id=t.id or 0,
                staff_id=s.id or 0,
                status=status,
                nonconformity="未報單位",
                points_lost={},
            )
            for t, s, status in (
                (year.tests[0], year.clerk, "open"),
                (year.tests[1], year.clerk, "closed"),
                (year.tests[2], year.inspector, "planned"),
            )
        ]
        session.add_all(actions)
        session.flush()
        ids = [a.id for a in actions]
        assert [a.id for a in q.fetch_actions(session)] == ids
        assert [a.id for a in q.fetch_actions(session, open_only=True)] == [ids[0], ids[2]]
        assert [a.id for a in q.fetch_actions(session, staff_ids=[year.clerk.id or 0])] == ids[:2]
        assert q.fetch_actions(session, staff_ids=[]) == []
        assert q.fetch_action(session, action_id=ids[1] or 0) is actions[1]
        assert q.fetch_action(session, action_id=0) is None
        assert q.fetch_action(session, action_id=2**40) is None  # no error on PostgreSQL either
        assert q.fetch_action_for_test(session, test_id=year.tests[2].id or 0) is actions[2]
        assert q.fetch_action_for_test(session, test_id=year.tests[3].id or 0) is None
        action_id = ids[0] or 0
        q.add_action_event(
            session, action_id=action_id, actor="a", from_status=None, to_status="open", at=AT
        )
        later = AT + timedelta(days=1)
        q.add_action_event(
            session,
            action_id=action_id,
            actor="b",
            from_status="open",
            to_status="planned",
            note="計畫",
            at=later,
        )
        session.flush()
        events = q.fetch_action_events(session, action_id=action_id)
        assert [(e.actor, e.to_status, e.note) for e in events] == [
            ("a", "open", None),
            ("b", "planned", "計畫"),
        ]
        assert q.fetch_action_events(session, action_id=ids[2] or 0) == []

    db.call(run)


def test_chats_and_saved_languages_are_found_for_the_people_to_tell(db: Database) -> None:
    def run(session: Session) -> None:
        ada, bob = person(session, 811, language="en"), person(session, 812)
        assert ada.id and bob.id
        assert q.fetch_telegram_ids(session, person_ids=[ada.id, bob.id, 10**6]) == {
            ada.id: 811,
            bob.id: 812,
        }
        assert q.fetch_telegram_ids(session, person_ids=[]) == {}
        assert q.fetch_languages(session, telegram_ids=[811, 812, 813]) == {811: "en"}
        assert q.fetch_languages(session, telegram_ids=[]) == {}

    db.call(run)
