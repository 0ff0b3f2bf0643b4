"""Who composes an outbox message that is not a notice staff wrote, by the notice row's kind.

A feature that sends through the outbox (certificate reminders, survey invitations) creates a
`Notice` row of its kind with `ref_id` pointing at its own record, `enqueue`s the recipients it
chose (`storage.queries.outbox.enqueue`) in the same transaction as its own state change, and
names here the function that turns `ref_id` back into the message. The worker calls it once per
notice row inside a session; `parts(language)` is called later, outside any session, so a
composer loads everything it needs up front. A composer returning None means there is nothing
to send any more (the record is gone or withdrawn): the rows close as failed, like a notice that
was deleted.

Case news and the case, courtesy and self-assessment reminders (`TEXT_KINDS`) are one kind of
record, an `OutboxText` (a catalogue key and its values, written by `bot.cases.news.tell` or the
reminder jobs); `stored_text` renders them per language, signing news to a reporter with the
branch's contact line from the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlmodel import Session

from bot.edge.case_news import StoredNews
from bot.notices.expiry import reminder_text, reminder_wanted
from bot.settings import Settings
from bot.surveys.compose import case_survey_question, invitation
from kernel.outgoing import Part
from storage.models.notices import NoticeKind
from storage.queries.outbox.texts import fetch_outbox_text


class Composed(Protocol):
    """A message composed for every recipient alike, rendered per language."""

    def parts(self, language: str) -> list[Part]: ...


Composer = Callable[[Session, int], Composed | None]

COMPOSERS: dict[str, Composer] = {
    NoticeKind.REMINDER.value: lambda session, ref_id: reminder_text(
        session=session, reminder_id=ref_id
    ),
    NoticeKind.SURVEY.value: invitation,
    NoticeKind.CASE_SURVEY.value: case_survey_question,
}
"""Kind (`storage.models.notices.NoticeKind` value) → composer; a plain notice is not here."""


class Wanted(Protocol):
    """Whether a chat still wants messages of a kind: `db.run(wanted, chat_id=…)`."""

    def __call__(self, session: Session, /, *, chat_id: int) -> bool: ...


WANTED: dict[str, Wanted] = {NoticeKind.REMINDER.value: reminder_wanted}
"""Kind → whether a chat still wants messages of that kind, asked just before each send (a
retry included); a chat that does not has its row closed unsent (`outcomes.skipped`)."""


def stored_text(session: Session, text_id: int, settings: Settings) -> StoredNews | None:
    """A text kind's message (`storage.models.notices.TEXT_KINDS`): its catalogue key and values
    as written with the change that caused it, rendered when sent."""
    row = fetch_outbox_text(session=session, text_id=text_id)
    if row is None:
        return None
    return StoredNews(key=row.key, values=row.values, public=row.public, settings=settings)
