"""The archive on a real server: public notices only, newest first, 20 a page, by category; a
notice's permanent page and its file; anything private answers exactly like nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.notices.publishing import release_due_notices
from bot.web.archive import human_size
from storage.db import Database
from storage.models import Notice, NoticeAttachment
from storage.models.notices import NoticeKind, NoticeState
from storage.queries.notices import cancel_notice, save_attachment_file_id
from tests.bot.web.conftest import START, send
from tests.factories import add_firm
from tests.statements import recorded_statements


def same_page(page: str, path: str) -> str:
    return re.sub(r'<p class="printed">[^<]*</p>', "", page.replace(path, "/PATH"))


def titles(page: str) -> list[str]:
    found = r'<h2><a href="/notices/\d+[^"]*">(?:<span lang="[^"]+">)?([^<]+)(?:</span>)?</a></h2>'
    return re.findall(found, page)


async def test_the_list_shows_public_notices_only_newest_first(
    site: TestClient, db: Database
) -> None:
    send(db, "舊公告", day=0)
    send(db, "新公告", day=2)
    send(db, "不公開的公告", day=3, archive=False)
    with db.transaction() as session:
        add_firm(session, 7001, ["cns"]).tax_id = "04595257"
    send(db, "依統一編號寄送", day=4, tax_ids=["04595257"])
    send(db, "類別與統一編號", day=5, tax_ids=["04595257"])

    def reminder(session) -> None:  # type: ignore[no-untyped-def]
        session.add(
            Notice(
                title="證書屆期提醒",
                body="x",
                kind=NoticeKind.REMINDER.value,
                state=NoticeState.RELEASED.value,
                released_at=START,
                public=True,  # even marked so, a reminder is never shown
            )
        )

    db.call(reminder)

    def mark_all_public(session) -> None:  # type: ignore[no-untyped-def]
        for notice in session.exec(select(Notice).where(Notice.title != "不公開的公告")):
            notice.public = True  # the rules hold in the query, whatever the flag says

    db.call(mark_all_public)
    response = await site.get("/notices/")
    assert response.status == 200
    page = await response.text()
    assert titles(page) == ["新公告", "舊公告"]
    assert '<html lang="zh-TW">' in page
    assert "民國 115 年 11 月 4 日" in page  # released 2026-11-04 09:00 in Taipei
    assert 'datetime="2026-11-04T09:00:00+08:00"' in page


async def test_a_scheduled_notice_appears_once_released_and_a_cancelled_one_never(
    site: TestClient, db: Database
) -> None:
    later = START + timedelta(days=10)
    scheduled = send(db, "排程公告", at=later)
    cancelled = send(db, "取消的公告", at=later)
    db.call(lambda session: cancel_notice(session, notice_id=cancelled))
    assert titles(await (await site.get("/notices/")).text()) == []
    assert (await site.get(f"/notices/{scheduled}")).status == 404
    db.call(lambda session: release_due_notices(session, now=later))
    assert titles(await (await site.get("/notices/")).text()) == ["排程公告"]
    assert (await site.get(f"/notices/{scheduled}")).status == 200
    assert (await site.get(f"/notices/{cancelled}")).status == 404


async def test_pages_hold_twenty_with_previous_and_next_links(
    site: TestClient, db: Database
) -> None:
    for day in range(45):
        send(db, f"公告 {day:02d}", day=day)
    first = await (await site.get("/notices/")).text()
    assert titles(first) == [f"公告 {d:02d}" for d in range(44, 24, -1)]
    assert "第 1 頁，共 3 頁" in first
    assert 'rel="next" href="/notices/?page=2"' in first and 'rel="prev"' not in first
    last = await (await site.get("/notices/?page=3&lang=en")).text()
    assert titles(last) == [f"公告 {d:02d}" for d in range(4, -1, -1)]
    assert "Page 3 of 3" in last
    assert 'rel="prev" href="/notices/?page=2&amp;lang=en"' in last and 'rel="next"' not in last
    assert (await site.get("/notices/?page=4")).status == 404


async def test_a_bad_page_number_is_a_400_page_in_one_sentence(site: TestClient) -> None:
    for bad in ("0", "-1", "two", "1.5", "９", "9" * 12):
        response = await site.get("/notices/", params={"page": bad})
        assert response.status == 400, bad
        page = await response.text()
        assert "頁碼必須是 1 以上的整數，例如 ?page=2。" in page
        assert "Traceback" not in page


async def test_the_category_filter_lists_that_categorys_notices(
    site: TestClient, db: Database
) -> None:
    send(db, "CNS 公告", codes=["cns"], day=1)
    send(db, "批次公告", codes=["batch"], day=2)
    send(db, "兩者", codes=["cns", "batch"], day=3)
    page = await (await site.get("/notices/?category=cns")).text()
    assert titles(page) == ["兩者", "CNS 公告"]
    assert 'href="/feeds/cns.atom"' in page
    everything = await (await site.get("/notices/")).text()
    assert titles(everything) == ["兩者", "批次公告", "CNS 公告"]
    assert 'href="/notices/?category=batch"' in everything
    assert (await site.get("/notices/?category=nosuch")).status == 404


async def test_a_notice_has_a_permanent_page_and_private_ones_are_not_found_alike(
    site: TestClient, db: Database
) -> None:
    public = send(db, "公開的公告")
    private = send(db, "不公開的公告", archive=False)
    response = await site.get(f"/notices/{public}?lang=en")
    assert response.status == 200
    page = await response.text()
    assert '<html lang="en">' in page
    assert '<h1><span lang="zh-TW">公開的公告</span></h1>' in page
    assert '<div class="body" lang="zh-TW">' in page
    assert '<time datetime="2026-11-02T09:00:00+08:00">2 November 2026</time>' in page
    assert "<p>公開的公告 的內容。</p>" in page
    assert f'href="/notices/{public}" lang="zh-TW" hreflang="zh-TW">中文</a>' in page
    missing = await site.get("/notices/999999")
    hidden = await site.get(f"/notices/{private}")
    assert missing.status == hidden.status == 404
    # the same page but for its own address (in the language switch) and the printing time
    assert same_page(await missing.text(), "/notices/999999") == same_page(
        await hidden.text(), f"/notices/{private}"
    )


async def test_the_body_is_shown_as_subscribers_read_it_never_as_markup(
    site: TestClient, db: Database
) -> None:
    def write(session) -> None:  # type: ignore[no-untyped-def]
        notice = session.get(Notice, notice_id)
        notice.body = "第一段 <script>alert(1)</script>\n\n詳見 https://www.bsmi.gov.tw/a?b=1。"

    notice_id = send(db, "內容")
    db.call(write)
    page = await (await site.get(f"/notices/{notice_id}")).text()
    assert "<script>" not in page
    assert "<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert '<a href="https://www.bsmi.gov.tw/a?b=1">https://www.bsmi.gov.tw/a?b=1</a>。' in page


async def test_an_attachment_from_the_command_line_downloads_and_one_only_telegram_has_says_so(
    site: TestClient, db: Database
) -> None:
    kept = send(
        db, "附件公告", attachment_name="規格說明.pdf", attachment_content=b"%PDF-1.7 " * 300
    )
    # The worker uploaded it to Telegram: a public notice keeps its bytes for the archive.
    db.call(lambda session: save_attachment_file_id(session, notice_id=kept, file_id="BQAC-1"))
    chat_only = send(db, "聊天室附件", attachment_name="表.xlsx", attachment_file_id="BQAC-2")
    page = await (await site.get(f"/notices/{kept}")).text()
    href = f"/notices/{kept}/files/%E8%A6%8F%E6%A0%BC%E8%AA%AA%E6%98%8E.pdf"
    assert f'<a href="{href}" download>規格說明.pdf（PDF，3 KB）</a>' in page
    download = await site.get(href)
    assert download.status == 200
    assert await download.read() == b"%PDF-1.7 " * 300
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E8%A6%8F%E6%A0%BC%E8%AA%AA%E6%98%8E.pdf"
    )
    assert (await site.get(f"/notices/{kept}/files/other.pdf")).status == 404
    other = await (await site.get(f"/notices/{chat_only}")).text()
    assert "表.xlsx（XLSX）：網站未保存這個檔案" in other
    assert "/files/" not in other
    assert (await site.get(f"/notices/{chat_only}/files/表.xlsx")).status == 404


async def test_a_private_notices_file_is_not_served_nor_kept(
    site: TestClient, db: Database
) -> None:
    private = send(db, "內部", archive=False, attachment_name="a.pdf", attachment_content=b"%PDF")
    assert (await site.get(f"/notices/{private}/files/a.pdf")).status == 404
    db.call(lambda session: save_attachment_file_id(session, notice_id=private, file_id="BQ"))
    with db.transaction() as session:
        assert session.exec(select(NoticeAttachment)).all() == []


def test_sizes_read_as_people_write_them() -> None:
    assert human_size(10, "zh-TW") == "1 KB"
    assert human_size(2700, "en") == "3 KB"
    assert human_size(3 * 1024 * 1024 + 200_000, "en") == "3.2 MB"


async def test_a_page_of_twenty_notices_with_files_costs_the_queries_of_a_page_of_two(
    site: TestClient, db: Database
) -> None:
    async def queries_for_the_list() -> list[str]:
        with recorded_statements(db.engine) as seen:
            answer = await site.get("/notices/")
            assert answer.status == 200
        return seen

    for day in range(2):
        send(
            db,
            f"附件公告 {day}",
            day=day,
            attachment_name=f"{day}.pdf",
            attachment_content=b"%PDF",
        )
    two = await queries_for_the_list()
    for day in range(2, 20):
        send(
            db,
            f"附件公告 {day}",
            day=day,
            attachment_name=f"{day}.pdf",
            attachment_content=b"%PDF",
        )
    twenty = await queries_for_the_list()
    assert len(twenty) == len(two)  # one query for every file's size, not one a notice
    feed = await site.get("/feeds/all.atom")
    assert feed.status == 200 and (await feed.text()).count("<entry>") >= 20
