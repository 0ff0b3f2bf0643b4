"""Staff side of the periodic surveys: create one from a template, send it to the subscribers
of categories (or a seeded sample of them) through the outbox, close it, and the open surveys
with their response rates for `/survey`."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.surveys.outbox import hand_to_outbox
from bot.surveys.templates import template_questions
from kernel.errors import UserError
from storage.models import Survey
from storage.models.base import SECRETARIAT_ROLES
from storage.models.notices import NoticeKind
from storage.models.surveys import SurveyState
from storage.queries import surveys as q
from storage.queries.people import PersonView

MAX_TITLE = 200


def create_survey(session: Session, *, template: str, title: str, now: datetime) -> int:
    """A new survey (not sent yet) with the template's questions; its id."""
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise UserError("surveys.errors.bad_title", most=MAX_TITLE)
    questions = template_questions(template)
    survey = q.insert_survey(
        session=session, template=template, title=cleaned, questions=questions, now=now
    )
    assert survey.id is not None
    return survey.id


def _survey(session: Session, survey_id: int, *, lock: bool = False) -> Survey:
    survey = q.fetch_survey(session=session, survey_id=survey_id, lock=lock)
    if survey is None:
        raise UserError("surveys.errors.unknown_survey", survey=survey_id)
    return survey


def choose_recipients(
    chats: list[tuple[int, int]], *, sample: int | None, seed: int | None
) -> list[tuple[int, int]]:
    """All `chats` (ordered by chat id), or `sample` of them drawn with `random.Random(seed)`:
    the same seed over the same chats draws the same ones."""
    if sample is None:
        return chats
    if sample < 1:
        raise UserError("surveys.errors.bad_sample")
    if sample >= len(chats):
        return chats
    drawn = random.Random(seed).sample(range(len(chats)), sample)
    return [chats[i] for i in sorted(drawn)]


@dataclass(frozen=True)
class Sent:
    survey_id: int
    notice_id: int
    recipients: int
    subscribers: int


def send_survey(
    session: Session,
    *,
    survey_id: int,
    category_codes: list[str],
    sample: int | None,
    seed: int | None,
    now: datetime,
) -> Sent:
    """Invite the subscribers of `category_codes` (all subscribers when none), or a seeded
    sample of them, and hand the invitation to the outbox, all in one transaction."""
    if (sample is None) != (seed is None):
        raise UserError("surveys.errors.sample_needs_seed")
    survey = _survey(session, survey_id, lock=True)
    if survey.state == SurveyState.CLOSED.value:
        raise UserError("surveys.errors.survey_closed", survey=survey_id)
    if survey.state != SurveyState.DRAFT.value:
        raise UserError("surveys.errors.already_sent", survey=survey_id)
    codes = [c.strip().lower() for c in category_codes if c.strip()]
    category_ids: list[int] | None = None
    if codes:
        found = q.fetch_categories_by_codes(session=session, codes=codes)
        unknown = sorted(set(codes) - {c.code for c in found})
        if unknown:
            raise UserError("surveys.errors.unknown_category", codes=", ".join(unknown))
        category_ids = [c.id for c in found if c.id is not None]
    chats = q.fetch_subscriber_chats(session=session, category_ids=category_ids)
    chosen = choose_recipients(chats, sample=sample, seed=seed)
    if not chosen:
        raise UserError("surveys.errors.nobody")
    # Invitations are written in an order nothing can reproduce: in chat order, the n-th
    # invitation (its person cleared by /forget) would sit beside the n-th chat of the outbox.
    # Only the order of writing is random; the draw above stays reproducible from its seed.
    invited = [p for p, _ in chosen]
    secrets.SystemRandom().shuffle(invited)
    q.insert_invitations(session=session, survey_id=survey_id, person_ids=invited, now=now)
    notice_id = hand_to_outbox(
        session=session,
        kind=NoticeKind.SURVEY,
        ref_id=survey_id,
        title=survey.title,
        recipients=chosen,
        now=now,
    )
    survey.state = SurveyState.OPEN.value
    survey.sent_at = now
    session.add(survey)
    session.flush()
    return Sent(survey_id, notice_id, len(chosen), len(chats))


def close_survey(session: Session, *, survey_id: int, now: datetime) -> bool:
    """End a survey: no answer is taken after this. False if it was closed already."""
    survey = _survey(session, survey_id, lock=True)
    if survey.state == SurveyState.CLOSED.value:
        return False
    survey.state = SurveyState.CLOSED.value
    survey.closed_at = now
    session.add(survey)
    session.flush()
    return True


@dataclass(frozen=True)
class OpenSurvey:
    id: int
    title: str
    sent_at: datetime | None
    invited: int
    responded: int
    finished: int

    @property
    def rate_pct(self) -> float:
        return round(100 * self.responded / self.invited, 1) if self.invited else 0.0


def open_surveys(session: Session, *, viewer: PersonView) -> list[OpenSurvey]:
    """Open surveys with their response rates, for the secretariat and admins only."""
    if not viewer.has_any(SECRETARIAT_ROLES):
        raise UserError("access.denied")
    surveys = q.fetch_open_surveys(session=session)
    counts = q.count_responses(session=session, survey_ids=[s.id for s in surveys if s.id])
    return [
        OpenSurvey(
            id=s.id,
            title=s.title,
            sent_at=s.sent_at,
            invited=counts[s.id].invited,
            responded=counts[s.id].responded,
            finished=counts[s.id].finished,
        )
        for s in surveys
        if s.id is not None
    ]
