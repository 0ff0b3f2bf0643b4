"""The question after a closed case: the reporter in chat (still known, not blocked) is asked
once, at 10:00 on the next working day after the case closed (Taiwan's work calendar); a
score 1–5, then an optional comment or `/skip`. No answer within 14 days is no response.

`ask_due` runs in the job's transaction: the follow-up row (unique per case), the outbox
notice and its delivery are written together, so a restart never asks twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.surveys.outbox import hand_to_outbox
from kernel.i18n import t
from kernel.outgoing import Part
from kernel.workcalendar import add_working_days
from storage.models import CaseFollowUp
from storage.models.cases import Closure
from storage.models.notices import NoticeKind
from storage.queries import surveys as q

ASK_AT = time(10)
ANSWER_DAYS = 14
LOOK_BACK_DAYS = 31
"""Cases closed longer ago than this are not asked any more (their time has long passed)."""
MAX_COMMENT = 2000
KIND = NoticeKind.CASE_SURVEY


def due_at(closed_on: date, tz: ZoneInfo) -> datetime:
    """10:00 on the first working day after `closed_on`."""
    return datetime.combine(add_working_days(closed_on, 1), ASK_AT, tzinfo=tz)


def ask_due(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Ask every reporter whose question is due at `now` (and not past its answer window);
    returns how many were asked."""
    today = now.astimezone(tz).date()
    asked = 0
    closed_from = today - timedelta(days=LOOK_BACK_DAYS)
    for case in q.fetch_unasked_closed_cases(session=session, closed_from=closed_from):
        when = due_at(case.closed_on, tz)
        if not when <= now < when + timedelta(days=ANSWER_DAYS):
            continue
        follow_up = q.insert_follow_up(
            session=session,
            follow_up=CaseFollowUp(
                case_id=case.case_id,
                person_id=case.person_id,
                kind=case.kind,
                unit_id=case.unit_id,
                on_time=case.closure != Closure.LATE.value,
                closed_on=case.closed_on,
                asked_at=now,
                expires_at=now + timedelta(days=ANSWER_DAYS),
            ),
        )
        assert follow_up.id is not None
        hand_to_outbox(
            session=session,
            kind=KIND,
            ref_id=follow_up.id,
            title=t("zh-TW", "surveys.case.title"),
            recipients=[(case.person_id, case.chat_id)],
            now=now,
        )
        asked += 1
    return asked


class Answer(StrEnum):
    STALE = "stale"  # answered already, expired, or not this person's
    SCORED = "scored"  # the score is kept; a comment may follow
    COMMENTED = "commented"
    SKIPPED = "skipped"
    TOO_LONG = "too_long"  # nothing kept; the comment is still awaited


@dataclass(frozen=True)
class Reply:
    answer: Answer
    part: Part | None = None
    echo: str | None = None


def _mine(
    session: Session, follow_up_id: int, person_id: int, now: datetime
) -> CaseFollowUp | None:
    found = q.fetch_follow_up(session=session, follow_up_id=follow_up_id, lock=True)
    if found is None or found.person_id != person_id or now >= found.expires_at:
        return None
    return found


def answer_score(
    session: Session,
    *,
    follow_up_id: int,
    person_id: int,
    score: int,
    language: str,
    now: datetime,
) -> Reply:
    """The 1–5 button, taken once within the answer window; then the comment is asked for."""
    follow_up = _mine(session, follow_up_id, person_id, now)
    if follow_up is None or follow_up.score is not None or not 1 <= score <= 5:
        return Reply(Answer.STALE)
    follow_up.score = score
    follow_up.answered_at = now
    session.add(follow_up)
    session.flush()
    echo = t(
        language,
        "surveys.case.answered",
        answer=t(language, f"surveys.scale.{score}", score=score),
    )
    return Reply(Answer.SCORED, Part(t(language, "surveys.case.comment")), echo)


def answer_comment(
    session: Session,
    *,
    follow_up_id: int,
    person_id: int,
    text: str | None,
    language: str,
    now: datetime,
) -> Reply:
    """The optional comment after the score (None: `/skip`), taken once."""
    follow_up = _mine(session, follow_up_id, person_id, now)
    if follow_up is None or follow_up.score is None or follow_up.comment_done:
        return Reply(Answer.STALE)
    cleaned = (text or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_COMMENT:  # said, not cut: still waiting
        refusal = t(language, "surveys.too_long", length=len(cleaned), limit=MAX_COMMENT)
        return Reply(Answer.TOO_LONG, Part(refusal))
    follow_up.comment = cleaned
    follow_up.comment_done = True
    session.add(follow_up)
    session.flush()
    done = Answer.COMMENTED if cleaned else Answer.SKIPPED
    return Reply(done, Part(t(language, "surveys.case.thanks")))


def question_for(session: Session, *, follow_up_id: int) -> CaseFollowUp | None:
    """The follow-up whose question the outbox is about to send, None once it is answered."""
    found = q.fetch_follow_up(session=session, follow_up_id=follow_up_id)
    if found is None or found.score is not None:
        return None
    return found
