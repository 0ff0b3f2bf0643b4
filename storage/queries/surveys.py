"""Surveys and case follow-ups: creating, inviting, answering, and the figures reports read.

Nothing here returns a name, a username or a Telegram id next to an answer: the only query
that reads a chat id (`fetch_subscriber_chats`, `fetch_due_follow_up_cases`) is for sending,
and the figures are read by question or by case kind, unit and on-time flag.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    Case,
    CaseFollowUp,
    CaseReporter,
    Category,
    Delivery,
    InstallSecret,
    Notice,
    Person,
    Subscription,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    Unit,
)
from storage.models.cases import CaseState, Channel
from storage.models.notices import NoticeKind
from storage.models.secrets import CHAT_HASH_KEY
from storage.models.surveys import SurveyState

# --- surveys -------------------------------------------------------------------------------


def insert_survey(
    session: Session,
    *,
    template: str,
    title: str,
    questions: Sequence[tuple[str, str, str, str]],
    now: datetime,
) -> Survey:
    """A new survey in draft with its questions (code, kind, text_zh, text_en) in order."""
    survey = Survey(template=template, title=title, created_at=now)
    session.add(survey)
    session.flush()
    assert survey.id is not None
    for position, (code, kind, text_zh, text_en) in enumerate(questions):
        session.add(
            SurveyQuestion(
                survey_id=survey.id,
                position=position,
                code=code,
                kind=kind,
                text_zh=text_zh,
                text_en=text_en,
            )
        )
    session.flush()
    return survey


def fetch_survey(session: Session, *, survey_id: int, lock: bool = False) -> Survey | None:
    query = select(Survey).where(Survey.id == survey_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def fetch_questions(session: Session, *, survey_id: int) -> list[SurveyQuestion]:
    """A survey's questions in the order they are asked."""
    return list(
        session.exec(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey_id)
            .order_by(col(SurveyQuestion.position))
        ).all()
    )


def fetch_previous_survey(session: Session, *, survey: Survey) -> Survey | None:
    """The survey of the same template created just before `survey` that was sent."""
    return session.exec(
        select(Survey)
        .where(
            Survey.template == survey.template,
            col(Survey.id) < survey.id,
            col(Survey.sent_at).is_not(None),
        )
        .order_by(col(Survey.id).desc())
    ).first()


def fetch_categories_by_codes(session: Session, *, codes: Sequence[str]) -> list[Category]:
    """Categories (retired too) whose code is in `codes`."""
    if not codes:
        return []
    return list(session.exec(select(Category).where(col(Category.code).in_(codes))).all())


def fetch_subscriber_chats(
    session: Session, *, category_ids: Sequence[int] | None
) -> list[tuple[int, int]]:
    """(person id, chat id) of every reachable subscriber of `category_ids` (any category when
    None), each once, ordered by chat id so that a seeded sample is reproducible."""
    subscribed = sa_select(col(Subscription.person_id))
    if category_ids is not None:
        subscribed = subscribed.where(col(Subscription.category_id).in_(category_ids))
    rows = session.execute(
        sa_select(col(Person.id), col(Person.telegram_id))
        .where(col(Person.id).in_(subscribed), col(Person.blocked).is_(False))
        .order_by(col(Person.telegram_id))
    ).all()
    return [(int(r[0]), int(r[1])) for r in rows]


def insert_invitations(
    session: Session, *, survey_id: int, person_ids: Sequence[int], now: datetime
) -> int:
    """One invitation per person not yet invited to this survey; how many were written."""
    already = set(
        session.exec(
            select(SurveyInvitation.person_id).where(SurveyInvitation.survey_id == survey_id)
        ).all()
    )
    fresh = [p for p in dict.fromkeys(person_ids) if p not in already]
    session.add_all(
        SurveyInvitation(survey_id=survey_id, person_id=p, invited_at=now) for p in fresh
    )
    session.flush()
    return len(fresh)


def fetch_invitation(
    session: Session, *, invitation_id: int, lock: bool = False
) -> SurveyInvitation | None:
    query = select(SurveyInvitation).where(SurveyInvitation.id == invitation_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def fetch_invitation_of(
    session: Session, *, survey_id: int, person_id: int
) -> SurveyInvitation | None:
    return session.exec(
        select(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey_id, SurveyInvitation.person_id == person_id
        )
    ).first()


def insert_answer(
    session: Session,
    *,
    invitation_id: int,
    question_id: int,
    score: int | None,
    text: str | None,
    now: datetime,
) -> None:
    session.add(
        SurveyAnswer(
            invitation_id=invitation_id,
            question_id=question_id,
            score=score,
            text=text,
            answered_at=now,
        )
    )
    session.flush()


@dataclass(frozen=True)
class SurveyCounts:
    invited: int
    responded: int
    """Invitations with at least one answer."""
    finished: int


def count_responses(session: Session, *, survey_ids: Sequence[int]) -> dict[int, SurveyCounts]:
    """Invited, responded (any answer) and finished, per survey."""
    if not survey_ids:
        return {}
    answered = sa_select(col(SurveyAnswer.invitation_id)).distinct()
    rows = session.execute(
        sa_select(
            col(SurveyInvitation.survey_id),
            func.count(),
            func.count(col(SurveyInvitation.id)).filter(col(SurveyInvitation.id).in_(answered)),
            func.count(col(SurveyInvitation.finished_at)),
        )
        .where(col(SurveyInvitation.survey_id).in_(survey_ids))
        .group_by(col(SurveyInvitation.survey_id))
    ).all()
    found = {int(r[0]): SurveyCounts(int(r[1]), int(r[2]), int(r[3])) for r in rows}
    return {s: found.get(s, SurveyCounts(0, 0, 0)) for s in survey_ids}


def fetch_surveys_listed(session: Session, *, offset: int, limit: int) -> list[Survey]:
    """Surveys open first, then drafts (newest first), then closed (latest closed first)."""
    rank = case(
        (col(Survey.state) == SurveyState.OPEN.value, 0),
        (col(Survey.state) == SurveyState.DRAFT.value, 1),
        else_=2,
    )
    return list(
        session.exec(
            select(Survey)
            .order_by(rank, col(Survey.closed_at).desc(), col(Survey.id).desc())
            .offset(offset)
            .limit(limit)
        ).all()
    )


def count_surveys(session: Session) -> int:
    return int(session.execute(sa_select(func.count()).select_from(Survey)).scalar_one())


def fetch_score_counts(session: Session, *, survey_id: int) -> dict[int, dict[int, int]]:
    """{question id: {score: answers}} of a survey's scale answers."""
    rows = session.execute(
        sa_select(col(SurveyAnswer.question_id), col(SurveyAnswer.score), func.count())
        .join(SurveyQuestion, col(SurveyQuestion.id) == SurveyAnswer.question_id)
        .where(col(SurveyQuestion.survey_id) == survey_id, col(SurveyAnswer.score).is_not(None))
        .group_by(col(SurveyAnswer.question_id), col(SurveyAnswer.score))
    ).all()
    out: dict[int, dict[int, int]] = {}
    for question_id, score, count in rows:
        out.setdefault(int(question_id), {})[int(score)] = int(count)
    return out


def fetch_texts(session: Session, *, survey_id: int) -> list[tuple[int, str]]:
    """(question id, text) of a survey's free-text answers, by question then by text, so the
    order says nothing about who answered when."""
    rows = session.execute(
        sa_select(col(SurveyAnswer.question_id), col(SurveyAnswer.text))
        .join(SurveyQuestion, col(SurveyQuestion.id) == SurveyAnswer.question_id)
        .where(col(SurveyQuestion.survey_id) == survey_id, col(SurveyAnswer.text).is_not(None))
        .order_by(col(SurveyQuestion.position), col(SurveyAnswer.text))
    ).all()
    return [(int(r[0]), str(r[1])) for r in rows]


# --- case follow-ups -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedCase:
    """A case closed in chat whose reporter has not been asked yet."""

    case_id: int
    kind: str
    unit_id: int | None
    closure: str | None
    closed_on: date
    person_id: int
    chat_id: int
    language: str | None


def fetch_unasked_closed_cases(session: Session, *, closed_from: date) -> list[ClosedCase]:
    """Cases closed on or after `closed_from`, filed in chat by a person still known and not
    blocked, who has not been asked about them yet."""
    asked = sa_select(col(CaseFollowUp.case_id))
    rows = session.execute(
        sa_select(
            col(Case.id),
            col(Case.kind),
            col(Case.unit_id),
            col(Case.closure),
            col(Case.closed_on),
            col(Person.id),
            col(Person.telegram_id),
            func.coalesce(col(Person.language), col(CaseReporter.language)),
        )
        .join(CaseReporter, col(CaseReporter.case_id) == Case.id)
        .join(Person, col(Person.id) == CaseReporter.person_id)
        .where(
            col(Case.state) == CaseState.CLOSED.value,
            col(Case.channel) == Channel.TELEGRAM.value,
            col(Case.closed_on) >= closed_from,
            col(Person.blocked).is_(False),
            col(Case.id).not_in(asked),
        )
        .order_by(col(Case.closed_on), col(Case.id))
    ).all()
    return [
        ClosedCase(
            case_id=int(r[0]),
            kind=str(r[1]),
            unit_id=r[2],
            closure=r[3],
            closed_on=r[4],
            person_id=int(r[5]),
            chat_id=int(r[6]),
            language=r[7],
        )
        for r in rows
    ]


def insert_follow_up(session: Session, *, follow_up: CaseFollowUp) -> CaseFollowUp:
    session.add(follow_up)
    session.flush()
    return follow_up


def fetch_case_number(session: Session, *, case_id: int) -> str | None:
    """The number of a case (P2026-00042), to name it in the question after it closed."""
    return session.exec(select(Case.number).where(Case.id == case_id)).first()


def fetch_follow_up(
    session: Session, *, follow_up_id: int, lock: bool = False
) -> CaseFollowUp | None:
    query = select(CaseFollowUp).where(CaseFollowUp.id == follow_up_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


@dataclass(frozen=True)
class FollowUpRow:
    """One follow-up as reports see it: no case, no person."""

    kind: str
    unit_id: int | None
    on_time: bool
    score: int | None


def fetch_follow_up_rows(
    session: Session, *, asked_from: datetime, asked_before: datetime, unit_id: int | None = None
) -> list[FollowUpRow]:
    """Every follow-up asked in [asked_from, asked_before), optionally of one unit."""
    query = sa_select(
        col(CaseFollowUp.kind),
        col(CaseFollowUp.unit_id),
        col(CaseFollowUp.on_time),
        col(CaseFollowUp.score),
    ).where(col(CaseFollowUp.asked_at) >= asked_from, col(CaseFollowUp.asked_at) < asked_before)
    if unit_id is not None:
        query = query.where(col(CaseFollowUp.unit_id) == unit_id)
    return [
        FollowUpRow(kind=str(r[0]), unit_id=r[1], on_time=bool(r[2]), score=r[3])
        for r in session.execute(query).all()
    ]


def fetch_follow_up_comments(
    session: Session, *, asked_from: datetime, asked_before: datetime
) -> list[str]:
    """The comments of follow-ups asked in the range, sorted by text (no order of arrival)."""
    rows = session.execute(
        sa_select(col(CaseFollowUp.comment))
        .where(
            col(CaseFollowUp.asked_at) >= asked_from,
            col(CaseFollowUp.asked_at) < asked_before,
            col(CaseFollowUp.comment).is_not(None),
        )
        .order_by(col(CaseFollowUp.comment))
    ).all()
    return [str(r[0]) for r in rows]


def fetch_units(session: Session) -> list[Unit]:
    return list(session.exec(select(Unit).order_by(col(Unit.sort_order), col(Unit.id))).all())


# --- forgetting ----------------------------------------------------------------------------


ANSWERED_KINDS = (
    NoticeKind.SURVEY.value,
    NoticeKind.CASE_SURVEY.value,
    NoticeKind.CASE_NEWS.value,
)
"""The outbox kinds whose rows lead to answers: a survey's invitations, a case's question, and
a case's news (its stored values name the case, and the case its follow-up)."""


def chat_hash(session: Session, *, chat_id: int) -> str:
    """HMAC-SHA256 of the chat id under this install's key (`storage.models.secrets`), hex."""
    secret = session.get(InstallSecret, CHAT_HASH_KEY)
    if secret is None:
        raise RuntimeError("the install's chat_hash key is missing: run `bsmi-desk db upgrade`")
    key = bytes.fromhex(secret.value)
    return hmac.new(key, str(chat_id).encode("ascii"), hashlib.sha256).hexdigest()


def unlink_person_answers(session: Session, *, person_id: int) -> int:
    """Cut the link between a person and their survey answers and case follow-ups (the answers
    stay, anonymous): the answers lose the person, and the outbox rows that carried the
    question to their chat keep only `chat_hash` of it (a case question's notice names its
    follow-up, so its row's chat id would name the person). How many rows were unlinked."""
    total = 0
    person = session.get(Person, person_id)
    mine = col(Delivery.person_id) == person_id
    if person is not None:
        mine = mine | (col(Delivery.chat_id) == person.telegram_id)
    answered = sa_select(col(Notice.id)).where(col(Notice.kind).in_(ANSWERED_KINDS))
    chats = session.execute(
        sa_select(col(Delivery.chat_id))
        .distinct()
        .where(mine, col(Delivery.chat_id).is_not(None), col(Delivery.notice_id).in_(answered))
    ).all()
    for (chat_id,) in chats:
        result = session.execute(
            update(Delivery)
            .where(col(Delivery.chat_id) == chat_id, col(Delivery.notice_id).in_(answered))
            .values(chat_id=None, chat_hash=chat_hash(session=session, chat_id=int(chat_id)))
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    for table in (SurveyInvitation, CaseFollowUp):
        result = session.execute(
            update(table).where(col(table.person_id) == person_id).values(person_id=None)
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


# --- the outbox ----------------------------------------------------------------------------


def insert_composed_notice(session: Session, *, kind: str, ref_id: int, title: str) -> int:
    """A notice row whose message the feature composes from `ref_id`; its id (the outbox's
    `enqueue` writes its deliveries and releases it)."""
    notice = Notice(kind=kind, ref_id=ref_id, title=title[:200], body="")
    session.add(notice)
    session.flush()
    assert notice.id is not None
    return notice.id
