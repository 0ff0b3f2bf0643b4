"""storage/queries/assessment.py on a real database: yearly targets with the plan's figures as
fallback, scores with their history, publication, follow-ups and the notices' reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from storage.db import Database
from storage.models import AssessmentScore, Delivery, Notice, NoticeCategory
from storage.models.notices import NoticeKind
from storage.queries import assessment as q
from tests.storage.queries.rows import category_id, unit_id

AT = datetime(2027, 7, 1, 2, 0, tzinfo=UTC)


def test_targets_not_set_are_the_plans_and_setting_some_keeps_the_others(db: Database) -> None:
    def run(session: Session) -> None:
        plan = q.fetch_targets(session, year=2027)
        assert (plan.public, plan.monitor, plan.courtesy) == (350, 250, 80)
        assert plan.defaulted == {"public", "monitor", "courtesy", "training"}
        assert plan.training == 26
        q.save_targets(session, year=2027, figures={"public": 400}, at=AT, by="cli")
        row = q.save_targets(session, year=2027, figures={"courtesy": 90}, at=AT, by="secretary")
        assert (row.public, row.monitor, row.courtesy, row.updated_by) == (
            400,
            None,
            90,
            "secretary",
        )
        set_ = q.fetch_targets(session, year=2027)
        assert (set_.public, set_.monitor, set_.courtesy, set_.defaulted) == (
            400,
            250,
            90,
            {"monitor", "training"},
        )
        q.save_targets(session, year=2026, figures={"monitor": 1}, at=AT, by="cli")
        assert [t.year for t in q.fetch_year_targets(session)] == [2026, 2027]

    db.call(run)


def score(session: Session, unit: str, basic: int, at: datetime) -> AssessmentScore:
    return AssessmentScore(
        period="2027-H1",
        unit_id=unit_id(session, unit),
        basic=basic,
        delivery=10,
        capacity=10,
        evaluation=10,
        innovation=5,
        assessed_on="2027-07",
        recorded_by="panel",
        recorded_at=at,
    )


def test_a_new_score_becomes_current_and_the_old_one_stays_as_history(db: Database) -> None:
    def run(session: Session) -> None:
        assert q.fetch_current_scores(session, period="2027-H1") == {}
        first = q.save_score(session, score=score(session, "sec1", 20, AT))
        q.save_score(session, score=score(session, "sec2", 25, AT))
        second = q.save_score(session, score=score(session, "sec1", 30, AT + timedelta(hours=1)))
        current = q.fetch_current_scores(session, period="2027-H1")
        sec1 = unit_id(session, "sec1")
        assert {u: s.basic for u, s in current.items()} == {sec1: 30, unit_id(session, "sec2"): 25}
        history = q.fetch_score_history(session, period="2027-H1", unit_id=sec1)
        assert history == [first, second] and first.superseded_at == second.recorded_at
        assert q.fetch_score_history(session, period="2027-H2", unit_id=sec1) == []
        q.lock_period(session, period="2027-H1")  # held to the end of the transaction, or a no-op

    db.call(run)


def test_a_publication_is_saved_once_and_follow_ups_are_grouped_by_unit_in_order(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        assert q.fetch_publication(session, period="2027-H1") is None
        q.save_publication(session, period="2027-H1", at=AT, by="secretary")
        found = q.fetch_publication(session, period="2027-H1")
        assert found is not None and (found.published_at, found.published_by) == (AT, "secretary")
        sec1, sec2 = unit_id(session, "sec1"), unit_id(session, "sec2")
        q.add_follow_up(
            session, period="2027-H1", unit_id=sec1, text="b", at=AT + timedelta(1), by="x"
        )
        q.add_follow_up(session, period="2027-H1", unit_id=sec2, text="c", at=AT, by="x")
        q.add_follow_up(session, period="2027-H1", unit_id=sec1, text="a", at=AT, by="x")
        q.add_follow_up(session, period="2027-H2", unit_id=sec1, text="later", at=AT, by="x")
        grouped = q.fetch_follow_ups(session, period="2027-H1")
        assert {u: [f.text for f in rows] for u, rows in grouped.items()} == {
            sec1: ["a", "b"],
            sec2: ["c"],
        }

    db.call(run)


def test_the_notices_reach_counts_notices_and_distinct_chats_sent_per_category(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        cns, rpc = category_id(session, "cns"), category_id(session, "rpc")

        def notice(
            at: datetime, categories: list[int], sent_to: list[int], **fields: object
        ) -> None:
            row = Notice(title="t", body="b", state="released", released_at=at, **fields)  # type: ignore[arg-type]
            session.add(row)
            session.flush()
            assert row.id is not None
            for category in categories:
                session.add(NoticeCategory(notice_id=row.id, category_id=category))
            for chat in sent_to:
                session.add(
                    Delivery(notice_id=row.id, chat_id=chat, status="sent", next_attempt_at=at)
                )
            session.add(
                Delivery(notice_id=row.id, chat_id=999, status="failed", next_attempt_at=at)
            )
            session.flush()

        notice(AT, [cns, rpc], [1, 2])
        notice(AT + timedelta(days=1), [cns], [2, 3])
        notice(AT, [rpc], [])
        notice(AT, [cns], [4], kind=NoticeKind.REMINDER.value)
        notice(AT + timedelta(days=31), [cns], [5])
        found = q.fetch_notice_reach(session, start=AT, end=AT + timedelta(days=31))
        assert found == [("cns", 2, 3), ("rpc", 2, 2)]
        assert q.fetch_notice_reach(session, start=AT - timedelta(days=1), end=AT) == []

    db.call(run)
