"""Double opt-in: a request writes a confirmation e-mail and subscribes nobody; the link
subscribes; the links of an e-mail change or end it; a notice's release writes e-mail rows for
`immediately` subscribers only, which the Telegram worker never takes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.mail import subscribing
from bot.mail.addresses import token_hash
from bot.notices.publishing import publish
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery, EmailRequest, EmailSubscriber, EmailToken
from storage.models.notices import Channel
from storage.queries import mail as q
from storage.queries.outbox.due import count_open_deliveries, fetch_due_deliveries


def ask(db: Database, address: str = "Mei@Example.com", **kw: object) -> subscribing.Requested:
    values: dict[str, object] = {
        "categories": ["rpc", "cns"],
        "frequency": "immediately",
        "language": "zh-TW",
        "client": "203.0.113.9",
        "now": utcnow(),
    }
    values.update(kw)
    return db.call(
        lambda session: subscribing.request_subscription(session, address=address, **values)  # type: ignore[arg-type]
    )


def email_rows(db: Database) -> list[Delivery]:
    with db.reading() as session:
        return list(
            session.exec(select(Delivery).where(Delivery.channel == Channel.EMAIL.value)).all()
        )


def subscribe(db: Database, address: str, *, frequency: str = "immediately") -> str:
    """Request, then confirm as if the link had been sent (its token issued here)."""
    ask(db, address, frequency=frequency)
    token = "t-" + address

    def issue(session: Session) -> None:
        request = q.fetch_latest_request(session=session, address=address.lower())
        assert request is not None and request.id is not None
        q.set_request_token(session=session, request_id=request.id, token_hash=token_hash(token))

    db.call(issue)
    return db.call(lambda session: subscribing.confirm(session, token=token, now=utcnow())).token


def test_a_request_writes_one_confirmation_email_and_subscribes_nobody(db: Database) -> None:
    done = ask(db)
    assert (done.address, done.sent, done.key) == ("mei@example.com", True, "mail.requested")
    rows = email_rows(db)
    assert len(rows) == 1 and rows[0].email_id is None and rows[0].chat_id is None
    assert rows[0].email_hash and "mei" not in rows[0].email_hash
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []
        assert len(session.exec(select(EmailRequest)).all()) == 1


def test_a_second_request_within_ten_minutes_sends_nothing_and_says_so(db: Database) -> None:
    now = utcnow()
    ask(db, now=now)
    again = ask(db, now=now + timedelta(minutes=9))
    assert (again.sent, again.key) == (False, "mail.already_requested")
    assert len(email_rows(db)) == 1
    later = ask(db, now=now + timedelta(minutes=11))
    assert later.sent and len(email_rows(db)) == 2


def test_a_client_may_ask_ten_times_an_hour(db: Database) -> None:
    now = utcnow()
    for n in range(10):
        assert ask(db, f"p{n}@example.com", now=now).sent
    with pytest.raises(UserError) as caught:
        ask(db, "p10@example.com", now=now)
    assert caught.value.key == "mail.too_many_requests"
    assert ask(db, "p10@example.com", now=now, client="198.51.100.1").sent
    assert ask(db, "p11@example.com", now=now + timedelta(minutes=61)).sent


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"categories": []}, "mail.no_category"),
        ({"categories": ["nope"]}, "mail.unknown_category"),
        ({"frequency": "hourly"}, "mail.bad_frequency"),
        ({"language": "fr"}, "mail.bad_language"),
        ({"address": "not an address"}, "mail.address_invalid"),
    ],
)
def test_a_bad_request_is_refused_and_writes_nothing(
    db: Database, kw: dict[str, object], key: str
) -> None:
    address = str(kw.pop("address", "mei@example.com"))
    with pytest.raises(UserError) as caught:
        ask(db, address, **kw)
    assert caught.value.key == key
    assert email_rows(db) == []


def test_confirming_subscribes_once_and_a_second_press_an_expired_or_unknown_link_says_so(
    db: Database,
) -> None:
    manage = subscribe(db, "mei@example.com")
    choice = db.call(lambda session: subscribing.current_choice(session, token=manage))
    assert [c.code for c in choice.categories] == ["cns", "rpc"]
    with db.reading() as session:
        assert session.exec(select(EmailRequest)).all() == []  # confirmed: the request goes
    with pytest.raises(UserError) as caught:
        db.call(
            lambda session: subscribing.confirm(session, token="t-mei@example.com", now=utcnow())
        )
    assert caught.value.key == "mail.already_confirmed"  # pressed twice: not "unknown"
    with pytest.raises(UserError) as caught:
        db.call(lambda session: subscribing.confirm(session, token="never-sent", now=utcnow()))
    assert caught.value.key == "mail.link_unknown"
    old = utcnow() - timedelta(days=8)
    ask(db, "late@example.com", now=old)
    db.call(
        lambda session: q.set_request_token(
            session=session,
            request_id=q.fetch_latest_request(session=session, address="late@example.com").id,  # type: ignore[union-attr,arg-type]
            token_hash=token_hash("late"),
        )
    )
    with pytest.raises(UserError) as caught:
        db.call(lambda session: subscribing.confirm(session, token="late", now=utcnow()))
    assert caught.value.key == "mail.link_expired"
    assert db.call(lambda session: subscribing.purge_unconfirmed(session, now=utcnow())) == 1
    with db.reading() as session:
        assert session.exec(select(EmailRequest)).all() == []


def test_unsubscribing_deletes_the_address_and_a_repeat_is_no_error(db: Database) -> None:
    manage = subscribe(db, "mei@example.com")
    assert db.call(lambda session: subscribing.unsubscribe(session, token=manage)) is True
    assert db.call(lambda session: subscribing.unsubscribe(session, token=manage)) is False
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []
        assert session.exec(select(EmailToken)).all() == []


def test_change_replaces_the_choice_and_no_category_unsubscribes(db: Database) -> None:
    manage = subscribe(db, "mei@example.com")
    changed = db.call(
        lambda session: subscribing.change(
            session, token=manage, categories=["metrology"], frequency="weekly", language="en"
        )
    )
    assert changed is not None and [c.code for c in changed.categories] == ["metrology"]
    assert (changed.frequency, changed.language) == ("weekly", "en")
    fresh = db.call(lambda session: subscribing.revoke_links(session, token=manage, now=utcnow()))
    with pytest.raises(UserError):
        db.call(lambda session: subscribing.current_choice(session, token=manage))
    gone = db.call(
        lambda session: subscribing.change(
            session, token=fresh, categories=[], frequency="weekly", language="en"
        )
    )
    assert gone is None
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []


def test_a_released_notice_writes_email_rows_the_telegram_worker_never_takes(db: Database) -> None:
    subscribe(db, "now@example.com")
    subscribe(db, "daily@example.com", frequency="daily")
    other = subscribe(db, "other@example.com")
    db.call(
        lambda session: subscribing.change(
            session, token=other, categories=["metrology"], frequency="immediately", language="en"
        )
    )
    before = {r.id for r in email_rows(db)}
    published = db.call(
        lambda session: publish(
            session, title="新制", body="內容", codes=["rpc"], created_by_id=None, now=utcnow()
        )
    )
    rows = [r for r in email_rows(db) if r.id not in before]
    with db.reading() as session:
        now_id = q.fetch_subscriber(session=session, address="now@example.com").id  # type: ignore[union-attr]
    assert [(r.notice_id, r.email_id) for r in rows] == [(published.notice_id, now_id)]
    with db.reading() as session:
        due = fetch_due_deliveries(session, now=utcnow() + timedelta(seconds=1), limit=100)
        assert due == []
        assert count_open_deliveries(session) == 0


def test_a_bounce_ends_the_address_and_closes_its_open_rows(db: Database) -> None:
    subscribe(db, "gone@example.com")
    db.call(
        lambda session: publish(
            session, title="t", body="b", codes=["rpc"], created_by_id=None, now=utcnow()
        )
    )
    with db.reading() as session:
        subscriber_id = q.fetch_subscriber(session=session, address="gone@example.com").id  # type: ignore[union-attr]
    db.call(
        lambda session: subscribing.bounce(session, subscriber_id=subscriber_id, request_id=None)
    )
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []
        rows = session.exec(select(Delivery).where(col(Delivery.email_hash).is_not(None))).all()
    notice_rows = [r for r in rows if r.email_id is None and r.last_error == "bounced"]
    assert len(notice_rows) == 1 and notice_rows[0].status == "failed"
