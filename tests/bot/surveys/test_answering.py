"""Answering a periodic survey: a typed answer too long to keep is refused in a sentence, not
cut, and the question still waits for it."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.surveys.admin import create_survey, send_survey
from bot.surveys.answering import MAX_TEXT, Outcome, answer_scale, answer_text, start
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Person, SurveyAnswer, SurveyInvitation
from tests.factories import add_firm


def test_a_typed_answer_too_long_is_refused_not_cut_and_still_awaited(db: Database) -> None:
    # A 4,000-character comment was cut to 2,000 without a word.
    db.call(lambda session: add_firm(session, 5501, ["cns"]))
    survey_id = db.call(create_survey, template="service", title="T", now=utcnow())
    db.call(
        send_survey, survey_id=survey_id, category_codes=[], sample=None, seed=None, now=utcnow()
    )

    def ids(session: Session) -> tuple[int, int]:
        person = session.exec(select(Person).where(Person.telegram_id == 5501)).one()
        invitation = session.exec(
            select(SurveyInvitation).where(SurveyInvitation.person_id == person.id)
        ).one()
        assert person.id is not None and invitation.id is not None
        return person.id, invitation.id

    person_id, invitation_id = db.call(ids)
    db.call(start, survey_id=survey_id, person_id=person_id, language="en")
    for position in range(5):
        db.call(
            answer_scale,
            invitation_id=invitation_id,
            person_id=person_id,
            position=position,
            score=4,
            language="en",
            now=utcnow(),
        )
    answer = dict(invitation_id=invitation_id, person_id=person_id, now=utcnow())
    for language, said in (("en", "4000 characters"), ("zh-TW", "4000 個字")):
        step = db.call(answer_text, text="x" * 4000, language=language, **answer)
        assert step.outcome is Outcome.ASK and step.expects_text
        assert step.part is not None and said in step.part.text and str(MAX_TEXT) in step.part.text

    def texts(session: Session) -> list[str | None]:
        return [a.text for a in session.exec(select(SurveyAnswer)) if a.score is None]

    assert db.call(texts) == []
    step = db.call(answer_text, text="y" * MAX_TEXT, language="en", **answer)
    assert step.outcome is Outcome.FINISHED
    assert db.call(texts) == ["y" * MAX_TEXT]
