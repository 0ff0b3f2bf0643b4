"""storage/queries/notices.py on a real database: categories, subscriptions, profiles, and
notices from creation to release into the outbox and their delivery counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from storage.db import OUTBOX_WRITTEN, Database
from storage.models import Delivery, Notice, NoticeAttachment, Person
from storage.models.notices import NoticeKind
from storage.queries import notices as q
from tests.storage.queries.rows import category_id, person

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def subscriber(session: Session, telegram_id: int, *codes: str, **fields: object) -> int:
    """A person subscribed to `codes`; their id."""
    row = person(session, telegram_id, **fields)
    assert row.id is not None
    q.add_subscriptions(
        session, person_id=row.id, category_ids=[category_id(session, c) for c in codes]
    )
    return row.id


def draft(
    session: Session,
    category_ids: list[int],
    *,
    title: str = "t",
    scheduled_at: datetime | None = None,
    **attachment: object,
) -> Notice:
    """A notice created at NOW by nobody in particular, body "b"."""
    return q.create_notice(
        session,
        title=title,
        body="b",
        category_ids=category_ids,
        created_by_id=None,
        scheduled_at=scheduled_at,
        now=NOW,
        **attachment,  # type: ignore[arg-type]
    )


def test_categories_are_listed_in_order_added_last_renamed_and_retired(db: Database) -> None:
    def run(session: Session) -> None:
        seeded = [c.code for c in q.fetch_categories(session)]
        added = q.add_category(session, code="toy", name_zh="玩具", name_en="Toys")
        assert [c.code for c in q.fetch_categories(session)] == [*seeded, "toy"]
        assert added.id is not None
        q.rename_category(session, category_id=added.id, name_zh=None, name_en="Toys and games")
        q.rename_category(session, category_id=added.id, name_zh=None, name_en=None)
        found = q.fetch_category_by_code(session, code=" TOY ")
        assert found is not None and (found.name_zh, found.name_en) == ("玩具", "Toys and games")
        assert q.fetch_category_by_code(session, code="none") is None
        q.retire_category(session, category_id=added.id, now=NOW)
        q.retire_category(session, category_id=added.id, now=NOW + timedelta(days=1))
        session.refresh(found)
        assert found.retired_at == NOW  # the first retirement stands
        assert "toy" not in [c.code for c in q.fetch_categories(session)]
        assert "toy" in [c.code for c in q.fetch_categories(session, include_retired=True)]

    db.call(run)


def test_subscriptions_are_added_once_removed_and_counted_without_blocked_people(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        cns, rpc = category_id(session, "cns"), category_id(session, "rpc")
        ada = subscriber(session, 601, "cns")
        assert q.add_subscriptions(session, person_id=ada, category_ids=[rpc, cns, rpc]) == [rpc]
        assert q.fetch_subscribed_category_ids(session, person_id=ada) == {cns, rpc}
        subscriber(session, 602, "cns", blocked=True)
        subscriber(session, 603, "cns")
        assert q.count_subscribers_by_category(session) == {cns: 2, rpc: 1}
        assert q.remove_subscription(session, person_id=ada, category_id=rpc) is True
        assert q.remove_subscription(session, person_id=ada, category_id=rpc) is False
        assert q.remove_all_subscriptions(session, person_id=ada) == 1
        assert q.remove_all_subscriptions(session, person_id=ada) == 0
        assert q.fetch_subscribed_category_ids(session, person_id=ada) == set()

    db.call(run)


def test_a_profile_is_saved_and_read_and_a_language_is_kept_only_when_none_was_chosen(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        row = person(session, 604)
        chose = person(session, 605, language="zh-TW")
        assert row.id and chose.id
        assert q.fetch_profile(session, person_id=row.id) == q.Profile(None, None)
        assert q.fetch_profile(session, person_id=10**6) == q.Profile(None, None)
        q.save_profile(session, person_id=row.id, company_name="大同", tax_id="83045210")
        assert q.fetch_profile(session, person_id=row.id) == q.Profile("大同", "83045210")
        q.keep_language(session, person_id=row.id, language="en")
        q.keep_language(session, person_id=chose.id, language="en")
        session.expire_all()
        assert session.get(Person, row.id).language == "en"  # type: ignore[union-attr]
        assert session.get(Person, chose.id).language == "zh-TW"  # type: ignore[union-attr]

    db.call(run)


def test_a_released_notice_gets_one_row_per_unblocked_subscriber_once(db: Database) -> None:
    def run(session: Session) -> None:
        cns, rpc = category_id(session, "cns"), category_id(session, "rpc")
        ada = subscriber(session, 611, "cns", "rpc", language="en")
        bob = subscriber(session, 612, "rpc")
        subscriber(session, 613, "cns", blocked=True)
        subscriber(session, 614, "metrology")
        assert q.count_recipients(session, category_ids=[cns, rpc]) == 2
        assert q.count_recipients(session, category_ids=[]) == 0
        assert q.count_recipients_by_language(
            session, category_ids=[cns, rpc], default_language="zh-TW"
        ) == {"en": 1, "zh-TW": 1}
        assert (
            q.count_recipients_by_language(session, category_ids=[], default_language="zh-TW")
            == {}
        )
        notice = q.create_notice(
            session,
            title="停電",
            body="本週六停電",
            category_ids=[cns, rpc, cns],
            created_by_id=None,
            scheduled_at=None,
            now=NOW,
        )
        assert notice.id is not None and notice.scheduled_at == NOW
        assert session.info.pop(OUTBOX_WRITTEN) is True  # the worker is woken on commit
        assert [c.code for c in q.fetch_notice_categories(session, notice_id=notice.id)] == [
            "cns",
            "rpc",
        ]
        assert q.release_notice(session, notice_id=notice.id, now=NOW) == 2
        assert q.release_notice(session, notice_id=notice.id, now=NOW) is None
        rows = session.exec(select(Delivery).where(Delivery.notice_id == notice.id)).all()
        assert sorted((r.person_id, r.chat_id, r.status) for r in rows) == [
            (ada, 611, "pending"),
            (bob, 612, "pending"),
        ]
        session.refresh(notice)
        assert (notice.state, notice.released_at, notice.recipients) == ("released", NOW, 2)
        assert q.cancel_notice(session, notice_id=notice.id) is False  # released already

    db.call(run)


def test_due_notices_are_the_scheduled_ones_whose_time_came_in_their_order(db: Database) -> None:
    def run(session: Session) -> None:
        cns = category_id(session, "cns")

        def notice(at: datetime, **fields: object) -> int:
            made = draft(session, [cns], scheduled_at=at)
            for key, value in fields.items():
                setattr(made, key, value)
            session.flush()
            assert made.id is not None
            return made.id

        later = notice(NOW + timedelta(hours=1))
        first = notice(NOW - timedelta(hours=2))
        now = notice(NOW)
        cancelled = notice(NOW - timedelta(hours=3))
        notice(NOW - timedelta(hours=3), kind=NoticeKind.REMINDER.value)
        assert q.cancel_notice(session, notice_id=cancelled) is True
        assert q.fetch_due_notice_ids(session, now=NOW) == [first, now]
        assert q.fetch_due_notice_ids(session, now=NOW + timedelta(hours=1))[-1] == later

    db.call(run)


def test_a_notice_is_read_by_kind_and_the_recent_ones_are_staffs_newest_first(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        made = [draft(session, [], title=f"n{i}") for i in range(3)]
        reminder = Notice(title="r", body="", kind=NoticeKind.REMINDER.value)
        session.add(reminder)
        session.flush()
        assert reminder.id is not None and made[0].id is not None
        assert q.fetch_notice(session, notice_id=reminder.id) is reminder
        assert q.fetch_staff_notice(session, notice_id=reminder.id) is None
        assert q.fetch_staff_notice(session, notice_id=made[0].id) is made[0]
        assert q.fetch_notice(session, notice_id=10**6) is None
        assert [n.title for n in q.fetch_recent_notices(session)] == ["n2", "n1", "n0"]
        assert [n.title for n in q.fetch_recent_notices(session, limit=1)] == ["n2"]

    db.call(run)


def test_an_attachments_bytes_are_dropped_once_telegram_gave_its_file_id(db: Database) -> None:
    def run(session: Session) -> None:
        notice = draft(session, [], attachment_name="a.pdf", attachment_content=b"%PDF-1.7")
        assert notice.id is not None
        assert q.fetch_attachment_content(session, notice_id=notice.id) == b"%PDF-1.7"
        q.save_attachment_file_id(session, notice_id=notice.id, file_id="BQAC-1")
        session.refresh(notice)
        assert notice.attachment_file_id == "BQAC-1"
        assert q.fetch_attachment_content(session, notice_id=notice.id) is None
        assert session.exec(select(NoticeAttachment)).all() == []

    db.call(run)


def test_delivery_counts_list_every_status_and_a_forgotten_persons_open_rows_are_closed(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        cns = category_id(session, "cns")
        ada = subscriber(session, 621, "cns")
        subscriber(session, 622, "cns")
        notice = draft(session, [cns])
        assert notice.id is not None
        q.release_notice(session, notice_id=notice.id, now=NOW)
        assert q.close_open_deliveries_of_person(session, person_id=ada, now=NOW) == 1
        assert q.close_open_deliveries_of_person(session, person_id=ada, now=NOW) == 0
        counts = q.fetch_delivery_counts(session, notice_ids=[notice.id, 10**6])
        assert counts[notice.id] == {
            "pending": 1,
            "retrying": 0,
            "sent": 0,
            "blocked": 0,
            "failed": 1,
            "unknown": 0,
        }
        assert set(counts[10**6].values()) == {0}
        assert q.fetch_delivery_counts(session, notice_ids=[]) == {}
        closed = session.exec(select(Delivery).where(Delivery.person_id == ada)).one()
        assert closed.last_error == "forgotten at their request"

    db.call(run)
