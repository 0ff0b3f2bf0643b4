"""The staff side of surveys (bot/surveys/admin.py): a title of 1 to 200 characters, spaces
folded; the recipients all or a seeded sample, the same seed drawing the same chats; a survey
sent once, refused once closed, a sample without its seed refused; closing twice says so; the
open surveys with their response rates for the secretariat only."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from bot.surveys.admin import (
    MAX_TITLE,
    choose_recipients,
    close_survey,
    create_survey,
    list_surveys,
    read_survey_report,
    send_choice,
    send_survey,
)
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Category, Role, Survey
from tests.factories import add_firm, person

CHATS = [(n, 100 + n) for n in range(1, 11)]


def test_every_chat_or_a_seeded_sample_the_same_seed_the_same_draw() -> None:
    assert choose_recipients(CHATS, sample=None, seed=None) == CHATS
    assert choose_recipients(CHATS, sample=99, seed=1) == CHATS
    drawn = choose_recipients(CHATS, sample=4, seed=7)
    assert len(drawn) == 4 and drawn == sorted(drawn) and set(drawn) <= set(CHATS)
    assert choose_recipients(CHATS, sample=4, seed=7) == drawn
    with pytest.raises(UserError) as raised:
        choose_recipients(CHATS, sample=0, seed=7)
    assert raised.value.key == "surveys.errors.bad_sample"


@pytest.mark.parametrize("title", ["", "   ", "x" * (MAX_TITLE + 1)])
def test_a_title_empty_or_too_long_is_refused(db: Database, title: str) -> None:
    with pytest.raises(UserError) as raised:
        db.call(create_survey, template="service", title=title, now=utcnow())
    assert raised.value.key == "surveys.errors.bad_title"


def test_a_survey_is_sent_once_and_not_after_it_closes(db: Database) -> None:
    def firms(session: Session) -> None:
        add_firm(session, 4301, ["cns"])
        add_firm(session, 4302, ["rpc"])

    db.call(firms)
    survey_id = db.call(create_survey, template="service", title=" Spring \n 2027 ", now=utcnow())
    assert db.call(lambda session: session.get(Survey, survey_id).title) == "Spring 2027"

    def send(**kw: object) -> object:
        args = {"category_codes": ["CNS "], "sample": None, "seed": None, **kw}
        return db.call(send_survey, survey_id=survey_id, now=utcnow(), **args)

    for wrong, key in (
        ({"sample": 1}, "surveys.errors.sample_needs_seed"),
        ({"category_codes": ["nope"]}, "surveys.errors.unknown_category"),
    ):
        with pytest.raises(UserError) as raised:
            send(**wrong)
        assert raised.value.key == key
    sent = send()
    assert (sent.recipients, sent.subscribers) == (1, 1)  # the cns subscriber only
    with pytest.raises(UserError) as raised:
        send()
    assert raised.value.key == "surveys.errors.already_sent"
    assert db.call(close_survey, survey_id=survey_id, now=utcnow()) is True
    assert db.call(close_survey, survey_id=survey_id, now=utcnow()) is False
    with pytest.raises(UserError) as raised:
        send()
    assert raised.value.key == "surveys.errors.survey_closed"


def test_the_surveys_and_their_rates_are_for_the_secretariat_only(db: Database) -> None:
    db.call(lambda session: add_firm(session, 4401, ["cns"]))
    survey_id = db.call(create_survey, template="service", title="T", now=utcnow())
    db.call(
        send_survey, survey_id=survey_id, category_codes=[], sample=None, seed=None, now=utcnow()
    )
    secretary = person(db, 4402, Role.SECRETARIAT)
    [listed] = db.call(list_surveys, viewer=secretary, page=1).rows
    assert (listed.id, listed.invited, listed.responded, listed.rate_pct) == (survey_id, 1, 0, 0.0)
    inspector = person(db, 4403, Role.INSPECTOR, unit="sec1")
    with pytest.raises(UserError) as raised:
        db.call(list_surveys, viewer=inspector, page=1)
    assert raised.value.key == "access.denied"


def test_the_list_puts_open_surveys_first_then_drafts_then_the_latest_closed(
    db: Database,
) -> None:
    db.call(lambda session: add_firm(session, 4501, ["cns"]))
    ids = [
        db.call(create_survey, template="service", title=f"S{n}", now=utcnow()) for n in range(12)
    ]
    for closing in (ids[0], ids[3], ids[1]):  # closed in this order: ids[1] the latest
        db.call(close_survey, survey_id=closing, now=utcnow())
    for sending in (ids[2], ids[5]):
        db.call(
            send_survey, survey_id=sending, category_codes=[], sample=None, seed=None, now=utcnow()
        )
    secretary = person(db, 4502, Role.SECRETARIAT)
    pages = [db.call(list_surveys, viewer=secretary, page=n, per_page=5) for n in (1, 2, 3, 9)]
    assert [p.page for p in pages] == [1, 2, 3, 3] and pages[0].pages == 3
    listed = [row.id for p in pages[:3] for row in p.rows]
    drafts = [i for i in reversed(ids) if i not in (ids[0], ids[1], ids[2], ids[3], ids[5])]
    assert listed == [ids[5], ids[2], *drafts, ids[1], ids[3], ids[0]]
    assert pages[3].rows == pages[2].rows  # a page past the last shows the last


def test_the_count_before_sending_is_what_the_send_reaches_and_each_step_is_audited(
    db: Database,
) -> None:
    def firms(session: Session) -> None:
        for chat in range(4601, 4621):
            add_firm(session, chat, ["cns"] if chat % 2 else ["rpc", "type"])

    db.call(firms)
    survey_id = db.call(
        create_survey, template="service", title="T", now=utcnow(), actor_telegram_id=77
    )
    rpc_id = db.call(
        lambda session: session.exec(select(Category.id).where(Category.code == "rpc")).one()
    )
    choice = db.call(
        send_choice,
        survey_id=survey_id,
        category_codes=["type"],
        sample=None,
        seed=None,
        language="zh-TW",
        toggle=rpc_id,
    )
    assert choice.codes == ["rpc", "type"] and "正字標記" in [c.name for c in choice.categories]
    untoggled = db.call(
        send_choice,
        survey_id=survey_id,
        category_codes=choice.codes,
        sample=4,
        seed=9,
        language="en",
        toggle=rpc_id,
    )
    assert untoggled.codes == ["type"] and (untoggled.recipients, untoggled.subscribers) == (4, 10)
    sent = db.call(
        send_survey,
        survey_id=survey_id,
        category_codes=["type"],
        sample=4,
        seed=9,
        now=utcnow(),
        actor_telegram_id=77,
    )
    assert (sent.recipients, sent.subscribers) == (4, 10)
    with pytest.raises(UserError) as raised:
        db.call(
            send_choice,
            survey_id=survey_id,
            category_codes=[],
            sample=None,
            seed=None,
            language="en",
        )
    assert raised.value.key == "surveys.errors.already_sent"
    db.call(close_survey, survey_id=survey_id, now=utcnow(), actor_telegram_id=77)
    db.call(close_survey, survey_id=survey_id, now=utcnow(), actor_telegram_id=77)  # no change
    db.call(read_survey_report, survey_id=survey_id, language="en", actor_telegram_id=77)
    rows = db.call(
        lambda session: [
            (a.action, a.target, a.actor_telegram_id)
            for a in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        ]
    )
    target = str(survey_id)
    assert rows == [
        ("survey.create", target, 77),
        ("survey.send", target, 77),
        ("survey.close", target, 77),
        ("survey.report", target, 77),
    ]
