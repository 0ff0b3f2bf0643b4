"""What the outbox sends for a survey and for the case question, and when nothing any more."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery.composers import COMPOSERS
from bot.surveys.admin import close_survey, create_survey, send_survey
from kernel.clock import utcnow
from storage.db import Database
from storage.models.notices import NoticeKind
from tests.factories import add_firm


def test_the_invitation_has_a_start_button_until_the_survey_closes(db: Database) -> None:
    def firm(session: Session) -> None:
        add_firm(session, 42, ["cns"])

    db.call(firm)
    survey_id = db.call(create_survey, template="service", title="<b>T</b> & co", now=utcnow())
    compose = COMPOSERS[NoticeKind.SURVEY.value]

    def composed(session: Session) -> object:
        return compose(session, survey_id)

    assert db.call(composed) is None  # not sent yet: nothing to send
    db.call(
        send_survey, survey_id=survey_id, category_codes=[], sample=None, seed=None, now=utcnow()
    )
    message = db.call(composed)
    assert message is not None
    [part] = message.parts("en")  # type: ignore[attr-defined]
    assert "&lt;b&gt;T&lt;/b&gt; &amp; co" in part.text and "6 short questions" in part.text
    assert "/forget" in part.text
    assert [[b.data for b in row] for row in part.buttons] == [[f"svy:go:{survey_id}"]]
    [zh] = message.parts("zh-TW")  # type: ignore[attr-defined]
    assert "共 6 題" in zh.text and "開始" in zh.buttons[0][0].label
    db.call(close_survey, survey_id=survey_id, now=utcnow())
    assert db.call(composed) is None
    assert COMPOSERS[NoticeKind.CASE_SURVEY.value] is not None
