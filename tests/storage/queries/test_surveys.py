"""storage/queries/surveys.py on a real database: surveys and their questions, invitations
and answers, the figures reports read, the question after a closed case, and forgetting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from storage.db import Database
from storage.models import CaseFollowUp, CaseReporter, Delivery, Notice, SurveyInvitation
from storage.models.notices import NoticeKind
from storage.queries import surveys as q
from storage.queries.notices import add_subscriptions
from tests.storage.queries.rows import case, category_id, person, unit_id

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
QUESTIONS = [
    ("overall", "scale", "整體", "Overall"),
    ("speed", "scale", "速度", "Speed"),
    ("comment", "text", "意見", "Comment"),
]


def test_a_survey_keeps_its_questions_in_order_and_knows_the_last_one_sent(db: Database) -> None:
    def run(session: Session) -> None:
        first = q.insert_survey(
            session, template="service", title="A", questions=QUESTIONS, now=NOW
        )
        unsent = q.insert_survey(session, template="service", title="B", questions=[], now=NOW)
        other = q.insert_survey(session, template="other", title="C", questions=[], now=NOW)
        latest = q.insert_survey(session, template="service", title="D", questions=[], now=NOW)
        assert first.id is not None and first.state == "draft"
        assert [x.code for x in q.fetch_questions(session, survey_id=first.id)] == [
            "overall",
            "speed",
            "comment",
        ]
        assert q.fetch_survey(session, survey_id=first.id, lock=True) is first
        assert q.fetch_survey(session, survey_id=10**6) is None
        assert q.fetch_previous_survey(session, survey=latest) is None  # none sent yet
        first.sent_at = other.sent_at = NOW
        session.flush()
        assert q.fetch_previous_survey(session, survey=latest) is first
        assert q.fetch_previous_survey(session, survey=first) is None
        assert unsent.id is not None
        first.state = "open"
        latest.state = "open"
        session.flush()
        unsent.state, unsent.closed_at = "closed", NOW
        session.flush()
        listed = q.fetch_surveys_listed(session, offset=0, limit=10)
        assert listed == [latest, first, other, unsent]  # open, draft, closed; newest first
        assert q.fetch_surveys_listed(session, offset=1, limit=2) == [first, other]
        assert q.count_surveys(session) == 4

    db.call(run)


def test_subscriber_chats_are_reachable_people_once_in_chat_order(db: Database) -> None:
    def run(session: Session) -> None:
        cns, rpc = category_id(session, "cns"), category_id(session, "rpc")
        people = {n: person(session, n, blocked=(n == 903)) for n in (905, 902, 903, 904)}
        for n, categories in ((905, [cns, rpc]), (902, [rpc]), (903, [cns])):
            add_subscriptions(session, person_id=people[n].id or 0, category_ids=categories)
        assert [chat for _, chat in q.fetch_subscriber_chats(session, category_ids=[cns])] == [905]
        assert [chat for _, chat in q.fetch_subscriber_chats(session, category_ids=None)] == [
            902,
            905,
        ]
        assert q.fetch_subscriber_chats(session, category_ids=[]) == []
        codes = sorted(
            c.code for c in q.fetch_categories_by_codes(session, codes=["rpc", "cns", "x"])
        )
        assert codes == ["cns", "rpc"]
        assert q.fetch_categories_by_codes(session, codes=[]) == []

    db.call(run)


def test_invitations_are_written_once_per_person_and_answers_counted_per_survey(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        survey = q.insert_survey(
            session, template="service", title="A", questions=QUESTIONS, now=NOW
        )
        assert survey.id is not None
        ids = [person(session, n).id or 0 for n in (911, 912, 913)]
        assert (
            q.insert_invitations(session, survey_id=survey.id, person_ids=ids[:2] * 2, now=NOW)
            == 2
        )
        assert q.insert_invitations(session, survey_id=survey.id, person_ids=ids, now=NOW) == 1
        invitation = q.fetch_invitation_of(session, survey_id=survey.id, person_id=ids[0])
        assert invitation is not None and invitation.id is not None
        assert q.fetch_invitation(session, invitation_id=invitation.id, lock=True) is invitation
        assert q.fetch_invitation(session, invitation_id=10**6) is None
        assert q.fetch_invitation_of(session, survey_id=survey.id, person_id=10**6) is None
        overall, speed, comment = q.fetch_questions(session, survey_id=survey.id)
        second = q.fetch_invitation_of(session, survey_id=survey.id, person_id=ids[1])
        assert second is not None and second.id is not None
        for inv, question, score, text in (
            (invitation.id, overall, 5, None),
            (invitation.id, speed, 4, None),
            (invitation.id, comment, None, "謝謝"),
            (second.id, overall, 5, None),
            (second.id, comment, None, "太慢"),
        ):
            q.insert_answer(
                session,
                invitation_id=inv,
                question_id=question.id or 0,
                score=score,
                text=text,
                now=NOW,
            )
        invitation.finished_at = NOW
        session.flush()
        counts = q.count_responses(session, survey_ids=[survey.id, 10**6])
        assert counts == {survey.id: q.SurveyCounts(3, 2, 1), 10**6: q.SurveyCounts(0, 0, 0)}
        assert q.count_responses(session, survey_ids=[]) == {}
        assert q.fetch_score_counts(session, survey_id=survey.id) == {
            overall.id: {5: 2},
            speed.id: {4: 1},
        }
        assert [text for _, text in q.fetch_texts(session, survey_id=survey.id)] == sorted(
            ["謝謝", "太慢"]
        )

    db.call(run)


def closed_in_chat(session: Session, telegram_id: int, closed_on: date, **fields: object) -> int:
    """A case closed on `closed_on`, filed in chat by a new person; the case id."""
    who = person(session, telegram_id, **{k: v for k, v in fields.items() if k == "blocked"})
    row = case(
        session,
        date(2027, 1, 4),
        closed_on=closed_on,
        unit="sec1",
        closure="on_time",
        channel=str(fields.get("channel", "telegram")),
    )
    session.add(CaseReporter(case_id=row.id or 0, person_id=who.id, language="en"))
    session.flush()
    return row.id or 0


def test_closed_cases_are_asked_about_once_if_filed_in_chat_by_someone_reachable(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        asked = closed_in_chat(session, 921, date(2027, 2, 10))
        due = closed_in_chat(session, 922, date(2027, 2, 12))
        closed_in_chat(session, 923, date(2027, 2, 12), blocked=True)
        closed_in_chat(session, 924, date(2027, 2, 12), channel="phone")
        closed_in_chat(session, 925, date(2027, 1, 30))  # before the window
        earlier = closed_in_chat(session, 926, date(2027, 2, 11))
        q.insert_follow_up(
            session,
            follow_up=CaseFollowUp(
                case_id=asked,
                kind="product",
                on_time=True,
                closed_on=date(2027, 2, 10),
                asked_at=NOW,
                expires_at=NOW + timedelta(days=7),
            ),
        )
        found = q.fetch_unasked_closed_cases(session, closed_from=date(2027, 2, 1))
        assert [(c.case_id, c.chat_id) for c in found] == [(earlier, 926), (due, 922)]
        first = found[0]
        assert (first.kind, first.unit_id, first.closure, first.language) == (
            "product",
            unit_id(session, "sec1"),
            "on_time",
            "en",
        )
        number = q.fetch_case_number(session, case_id=due)
        assert number is not None and number.startswith("P2027-")
        assert q.fetch_case_number(session, case_id=10**6) is None

    db.call(run)


def test_follow_ups_are_read_in_an_asked_range_without_who_and_comments_by_text(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        sec1, sec2 = unit_id(session, "sec1"), unit_id(session, "sec2")
        made = []
        for n, (unit, on_time, score, comment, days) in enumerate(
            (
                (sec1, True, 5, "很好", 0),
                (sec2, False, 2, "太慢", 1),
                (sec1, True, None, None, 2),
                (sec1, True, 4, "later", 40),
            )
        ):
            made.append(
                q.insert_follow_up(
                    session,
                    follow_up=CaseFollowUp(
                        case_id=case(session, date(2027, 1, 4)).id or 0,
                        kind="product",
                        unit_id=unit,
                        on_time=on_time,
                        closed_on=date(2027, 2, 1),
                        asked_at=NOW + timedelta(days=days),
                        expires_at=NOW,
                        score=score,
                        comment=comment,
                    ),
                )
            )
            assert made[-1].id is not None, n
        end = NOW + timedelta(days=30)
        rows = q.fetch_follow_up_rows(session, asked_from=NOW, asked_before=end)
        assert sorted((r.unit_id, r.on_time, r.score or 0) for r in rows) == sorted(
            [(sec1, True, 5), (sec2, False, 2), (sec1, True, 0)]
        )
        of_sec2 = q.fetch_follow_up_rows(session, asked_from=NOW, asked_before=end, unit_id=sec2)
        assert of_sec2 == [q.FollowUpRow(kind="product", unit_id=sec2, on_time=False, score=2)]
        assert q.fetch_follow_up_comments(session, asked_from=NOW, asked_before=end) == sorted(
            ["很好", "太慢"]
        )
        assert q.fetch_follow_up(session, follow_up_id=made[0].id or 0, lock=True) is made[0]
        assert q.fetch_follow_up(session, follow_up_id=10**6) is None
        assert [u.code for u in q.fetch_units(session)][:2] == ["sec1", "sec2"]

    db.call(run)


def test_forgetting_unlinks_answers_and_keeps_only_a_hash_of_the_chat_that_was_asked(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        who = person(session, 931)
        other = person(session, 932)
        assert who.id and other.id
        survey = q.insert_survey(session, template="service", title="A", questions=[], now=NOW)
        q.insert_invitations(
            session, survey_id=survey.id or 0, person_ids=[who.id, other.id], now=NOW
        )
        invitation = q.insert_composed_notice(
            session, kind=NoticeKind.SURVEY.value, ref_id=survey.id or 0, title="問卷" * 200
        )
        plain = Notice(title="公告", body="b")
        session.add(plain)
        session.flush()
        stored = session.get(Notice, invitation)
        assert stored is not None and (stored.kind, stored.ref_id, len(stored.title)) == (
            "survey",
            survey.id,
            200,
        )
        for notice_id in (invitation, plain.id or 0):
            for person_id, chat in ((who.id, 931), (other.id, 932)):
                session.add(
                    Delivery(
                        notice_id=notice_id,
                        person_id=person_id,
                        chat_id=chat,
                        status="sent",
                        next_attempt_at=NOW,
                    )
                )
        session.flush()
        digest = q.chat_hash(session, chat_id=931)
        assert len(digest) == 64 and digest == q.chat_hash(session, chat_id=931)
        assert digest != q.chat_hash(session, chat_id=932)
        assert q.unlink_person_answers(session, person_id=who.id) == 2  # a delivery, an invitation
        session.expire_all()
        rows = {(d.notice_id, d.chat_id, d.chat_hash) for d in session.exec(select(Delivery))}
        assert rows == {
            (invitation, None, digest),
            (invitation, 932, None),
            (plain.id, 931, None),
            (plain.id, 932, None),
        }
        invited = {i.person_id for i in session.exec(select(SurveyInvitation))}
        assert invited == {None, other.id}
        assert q.unlink_person_answers(session, person_id=who.id) == 0

    db.call(run)
