"""Staff side of the periodic surveys, for the command line and `/survey` alike: create one from
a template, count and send to the subscribers of categories (or a seeded sample of them) through
the outbox, close it, its report; every survey with its response rate for `/survey`. Each change
and each report read writes its audit row (`survey.create`, `survey.send`, `survey.close`,
`survey.report`) in its own transaction, whichever edge called it."""

from __future__ import annotations

import json
import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.surveys.findings import DEFAULT_THRESHOLD
from bot.surveys.outbox import hand_to_outbox
from bot.surveys.reports import Report
from bot.surveys.survey_report import build_survey_report
from bot.surveys.templates import template_questions
from kernel.errors import UserError
from storage.models import Survey
from storage.models.base import SECRETARIAT_ROLES
from storage.models.notices import NoticeKind
from storage.models.surveys import SurveyState
from storage.queries import surveys as q
from storage.queries.audit import record_audit
from storage.queries.notices import fetch_categories
from storage.queries.people import PersonView

MAX_TITLE = 200
PER_PAGE = 8
"""Surveys on one page of `/survey`: each row is at most about 330 characters (a title of 200),
so a page stays well within a chat message's 4,096."""


def _audit(
    session: Session, action: str, survey_id: int, actor: int | None, **detail: Any
) -> None:
    record_audit(
        session=session,
        actor_telegram_id=actor,
        action=f"survey.{action}",
        target=str(survey_id),
        detail=json.dumps(detail, ensure_ascii=False)[:2000] if detail else None,
    )


def create_survey(
    session: Session,
    *,
    template: str,
    title: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> int:
    """A new survey (not sent yet) with the template's questions; its id."""
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise UserError("surveys.errors.bad_title", most=MAX_TITLE)
    questions = template_questions(template)
    survey = q.insert_survey(
        session=session, template=template, title=cleaned, questions=questions, now=now
    )
    assert survey.id is not None
    _audit(session, "create", survey.id, actor_telegram_id, template=template, title=cleaned)
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


@dataclass(frozen=True)
class Audience:
    """Whom a send would reach: the chats drawn and every reachable subscriber."""

    survey: Survey
    chosen: list[tuple[int, int]]
    subscribers: int


def _audience(
    session: Session,
    *,
    survey_id: int,
    category_codes: list[str],
    sample: int | None,
    seed: int | None,
    lock: bool,
) -> Audience:
    """The checks of a send and its draw, before anything is written."""
    if (sample is None) != (seed is None):
        raise UserError("surveys.errors.sample_needs_seed")
    survey = _survey(session, survey_id, lock=lock)
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
    return Audience(survey, choose_recipients(chats, sample=sample, seed=seed), len(chats))


def send_survey(
    session: Session,
    *,
    survey_id: int,
    category_codes: list[str],
    sample: int | None,
    seed: int | None,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> Sent:
    """Invite the subscribers of `category_codes` (all subscribers when none), or a seeded
    sample of them, and hand the invitation to the outbox, all in one transaction."""
    audience = _audience(
        session,
        survey_id=survey_id,
        category_codes=category_codes,
        sample=sample,
        seed=seed,
        lock=True,
    )
    survey, chosen = audience.survey, audience.chosen
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
    _audit(
        session,
        "send",
        survey_id,
        actor_telegram_id,
        categories=sorted(c.strip().lower() for c in category_codes if c.strip()),
        sample=sample,
        seed=seed,
        recipients=len(chosen),
    )
    return Sent(survey_id, notice_id, len(chosen), audience.subscribers)


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class SendChoice:
    """What `/survey`'s 「寄送」 shows: the survey, the categories to tick, the codes ticked, and
    whom the choice reaches (what `send_survey` would send to, drawn alike)."""

    survey_id: int
    title: str
    categories: list[CategoryChoice]
    codes: list[str]
    recipients: int
    subscribers: int


def send_choice(
    session: Session,
    *,
    survey_id: int,
    category_codes: list[str],
    sample: int | None,
    seed: int | None,
    language: str,
    toggle: int | None = None,
) -> SendChoice:
    """The live categories, the codes ticked (`category_codes` with category `toggle` ticked
    or unticked; a code no longer live is dropped) and the recipients a send would reach now,
    with the same checks and draw as `send_survey` (a survey sent or closed is refused alike)."""
    live = [
        CategoryChoice(c.id, c.code, c.name_in(language))
        for c in fetch_categories(session)
        if c.id is not None
    ]
    ticked = set(category_codes) ^ {c.code for c in live if c.id == toggle}
    codes = [c.code for c in live if c.code in ticked]
    audience = _audience(
        session, survey_id=survey_id, category_codes=codes, sample=sample, seed=seed, lock=False
    )
    return SendChoice(
        survey_id,
        audience.survey.title,
        live,
        codes,
        len(audience.chosen),
        audience.subscribers,
    )


def close_survey(
    session: Session, *, survey_id: int, now: datetime, actor_telegram_id: int | None = None
) -> bool:
    """End a survey: no answer is taken after this. False if it was closed already."""
    survey = _survey(session, survey_id, lock=True)
    if survey.state == SurveyState.CLOSED.value:
        return False
    survey.state = SurveyState.CLOSED.value
    survey.closed_at = now
    session.add(survey)
    session.flush()
    _audit(session, "close", survey_id, actor_telegram_id)
    return True


def read_survey_report(
    session: Session,
    *,
    survey_id: int,
    language: str,
    western: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
    actor_telegram_id: int | None = None,
) -> Report:
    """The report `survey report` writes (an item under `threshold` percent satisfied, and
    the lowest, marked as findings), its reading audited."""
    report = build_survey_report(
        session, survey_id=survey_id, language=language, western=western, threshold=threshold
    )
    _audit(session, "report", survey_id, actor_telegram_id)
    return report


@dataclass(frozen=True)
class SurveyRow:
    id: int
    title: str
    template: str
    state: SurveyState
    sent_at: datetime | None
    closed_at: datetime | None
    invited: int
    responded: int
    finished: int

    @property
    def rate_pct(self) -> float:
        return round(100 * self.responded / self.invited, 1) if self.invited else 0.0


@dataclass(frozen=True)
class SurveyPage:
    rows: list[SurveyRow]
    page: int
    pages: int


def _check_viewer(viewer: PersonView) -> None:
    if not viewer.has_any(SECRETARIAT_ROLES):
        raise UserError("access.denied")


def _rows(session: Session, surveys: list[Survey]) -> list[SurveyRow]:
    counts = q.count_responses(session=session, survey_ids=[s.id for s in surveys if s.id])
    return [
        SurveyRow(
            id=s.id,
            title=s.title,
            template=s.template,
            state=SurveyState(s.state),
            sent_at=s.sent_at,
            closed_at=s.closed_at,
            invited=counts[s.id].invited,
            responded=counts[s.id].responded,
            finished=counts[s.id].finished,
        )
        for s in surveys
        if s.id is not None
    ]


def list_surveys(
    session: Session, *, viewer: PersonView, page: int, per_page: int = PER_PAGE
) -> SurveyPage:
    """Every survey with its response rate, open first, then drafts, then the latest closed,
    a page at a time (a page past the last shows the last); the secretariat and admins only."""
    _check_viewer(viewer)
    pages = max(1, math.ceil(q.count_surveys(session) / per_page))
    page = min(max(page, 1), pages)
    surveys = q.fetch_surveys_listed(session, offset=(page - 1) * per_page, limit=per_page)
    return SurveyPage(_rows(session, surveys), page, pages)


def survey_row(session: Session, *, viewer: PersonView, survey_id: int) -> SurveyRow:
    """One survey with its response rate; the secretariat and admins only."""
    _check_viewer(viewer)
    return _rows(session, [_survey(session, survey_id)])[0]
