"""storage/queries/archive.py: the rules of a public notice hold in every query."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage.db import Database
from storage.models import Notice, NoticeAttachment, NoticeCategory
from storage.models.notices import NoticeKind, NoticeState
from storage.models.registry import NoticeTaxId
from storage.queries import archive as q
from storage.queries.notices import fetch_category_by_code

AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def notice(session: Session, title: str, *, minute: int = 0, **fields: object) -> int:
    values: dict[str, object] = {
        "title": title,
        "body": "b",
        "public": True,
        "state": NoticeState.RELEASED.value,
        "released_at": AT.replace(minute=minute),
        **fields,
    }
    row = Notice(**values)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    assert row.id is not None
    cns = fetch_category_by_code(session=session, code="cns")
    assert cns is not None and cns.id is not None
    session.add(NoticeCategory(notice_id=row.id, category_id=cns.id))
    session.add(NoticeAttachment(notice_id=row.id, content=b"12345"))
    session.flush()
    return row.id


def test_only_released_public_category_notices_to_no_list_are_found(db: Database) -> None:
    def run(session: Session) -> None:
        shown = notice(session, "shown", minute=1)
        newer = notice(session, "newer", minute=2)
        hidden = [
            notice(session, "private", public=False),
            notice(session, "scheduled", state=NoticeState.SCHEDULED.value, released_at=None),
            notice(session, "cancelled", state=NoticeState.CANCELLED.value),
            notice(session, "reminder", kind=NoticeKind.REMINDER.value),
            notice(session, "case news", kind=NoticeKind.CASE_NEWS.value),
            notice(session, "targeted"),
        ]
        session.add(NoticeTaxId(notice_id=hidden[-1], tax_id="04595257"))
        session.flush()
        assert [n.title for n in q.fetch_public_notices(session)] == ["newer", "shown"]
        assert q.count_public_notices(session, category_code="cns") == 2
        assert q.count_public_notices(session, category_code="batch") == 0
        assert [n.title for n in q.fetch_public_notices(session, offset=1, limit=5)] == ["shown"]
        assert q.fetch_public_notice(session, notice_id=newer) is not None
        every = [shown, newer, *hidden]
        assert q.fetch_public_file_sizes(session, notice_ids=every) == {shown: 5, newer: 5}
        assert q.fetch_public_file_sizes(session, notice_ids=[]) == {}
        assert q.fetch_public_file(session, notice_id=shown) == b"12345"
        assert [c.code for c in q.fetch_archive_categories(session)] == ["cns"]
        for notice_id in hidden:
            assert q.fetch_public_notice(session, notice_id=notice_id) is None
            assert q.fetch_public_file(session, notice_id=notice_id) is None

    db.call(run)
