"""Filing: numbers per kind and year, the deadline on the work calendar, monitor reports for
monitors only, and no number given twice."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import select

from bot.cases.filing import Draft, file_case, submit_report
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Case, Role
from tests.factories import TZ, file_on, person

REPORTER = 5004


def test_a_filed_case_gets_a_number_and_a_deadline_on_the_work_calendar(db: Database) -> None:
    filed = file_on(db, date(2026, 2, 13), reply_days=5)
    assert filed.number == "P2026-00001"
    assert filed.due_on == date(2026, 3, 2)
    assert file_on(db, date(2026, 2, 13), kind="service").number == "S2026-00001"
    assert file_on(db, date(2026, 2, 13), kind="monitor").number == "M2026-00001"
    assert file_on(db, date(2026, 2, 13)).number == "P2026-00002"
    assert file_on(db, date(2025, 12, 31)).number == "P2025-00001"


def test_the_monitor_kind_is_refused_to_people_without_the_monitor_role(db: Database) -> None:
    firm = person(db, REPORTER)
    draft = Draft(kind="monitor", subject="安全帽 RideSafe R1", description="未標示檢驗標識。")
    with pytest.raises(UserError) as refused:
        db.call(
            file_case,
            draft=draft,
            person_id=firm.id,
            roles=firm.roles,
            language="zh-TW",
            received_at=utcnow(),
            tz=TZ,
            reply_days=30,
            counting="working",
        )
    assert refused.value.key == "report.monitor_only"
    assert db.call(lambda session: session.exec(select(Case)).all()) == []


def test_two_reports_at_once_never_get_the_same_number(db: Database) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def file_one() -> None:
        try:
            filed = file_on(db, date(2026, 6, 1))
            with lock:
                numbers.append(filed.number)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=file_one) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"P2026-{n:05d}" for n in range(1, 25)]


def test_a_report_submitted_in_chat_is_filed_and_the_secretariat_told_in_one_call(
    db: Database,
) -> None:
    firm = person(db, 5004)
    person(db, 5001, Role.SECRETARIAT)
    draft = Draft(
        kind="product", subject="電暖器 WarmUp HX-200", description="插頭過熱冒煙，有焦味。"
    )
    submitted = db.call(
        submit_report,
        draft=draft,
        person_id=firm.id,
        roles=firm.roles,
        language="zh-TW",
        received_at=utcnow(),
        tz=TZ,
        reply_days=30,
        counting="working",
        limit_per_hour=5,
    )
    assert submitted.number.startswith("P")
    assert [(n.chat_id, n.key) for n in submitted.notices] == [(5001, "cases.notify.new_case")]
    assert submitted.notices[0].values["subject"] == "電暖器 WarmUp HX-200"
    draft.kind = "monitor"
    with pytest.raises(UserError):
        db.call(
            submit_report,
            draft=draft,
            person_id=firm.id,
            roles=firm.roles,
            language="zh-TW",
            received_at=utcnow(),
            tz=TZ,
            reply_days=30,
            counting="working",
            limit_per_hour=5,
        )
    assert len(db.call(lambda session: session.exec(select(Case)).all())) == 1


def test_invisible_and_control_characters_do_not_count_and_are_not_stored() -> None:
    from bot.cases.filing import check_description, check_subject, clean_line, clean_text

    with pytest.raises(UserError) as refused:
        check_subject("\u200b" * 12)
    assert refused.value.key == "report.subject_empty"
    with pytest.raises(UserError) as refused:
        check_description("\u200b\u2060\ufeff" * 10 + "a\x00b\x07c")
    assert refused.value.key == "report.description_short"
    assert clean_line(" 插座\x00延長線\x1b\r\n型號\u200b A-1 ") == "插座延長線 型號 A-1"
    assert clean_text("第一行\x00\r\n第二行\x07\t完") == "第一行\n第二行\t完"
    # a joiner inside an emoji or a script stays: only what has no meaning is dropped
    assert clean_line("👩\u200d🔬 實驗室") == "👩\u200d🔬 實驗室"


@pytest.mark.parametrize(
    ("mime", "name", "accepted"),
    [
        ("application/pdf", "檢驗報告.pdf", True),
        ("image/jpeg", "IMG_0001.JPG", True),
        ("image/heic", "IMG_0002.HEIC", True),
        ("application/vnd.ms-excel", "list.xls", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "a.xlsx", True),
        ("application/pdf", None, True),
        ("application/pdf", "invoice.pdf.exe", False),
        ("application/pdf", "invoice.exe", False),
        ("application/x-msdownload", "invoice.pdf", False),
        ("application/octet-stream", "invoice.pdf", False),
        ("image/svg+xml", "logo.svg", False),
        ("application/zip", "photos.zip", False),
        (None, "invoice.pdf", False),
        ("application/pdf", "report.pdf.scr", False),
    ],
)
def test_an_attachment_is_accepted_by_its_declared_type_and_a_matching_name(
    mime: str | None, name: str | None, accepted: bool
) -> None:
    from bot.cases.filing import check_attachment

    if accepted:
        check_attachment(mime_type=mime, file_name=name)
    else:
        with pytest.raises(UserError) as refused:
            check_attachment(mime_type=mime, file_name=name)
        assert refused.value.key == "report.file_type"


@pytest.mark.parametrize("text", ["²", "9" * 40, "P２０２６-00001", "P2026-1", "X2026-00001", ""])
def test_an_odd_case_number_is_refused_in_one_sentence(text: str) -> None:
    from bot.cases.filing import parse_case_number

    with pytest.raises(UserError) as refused:
        parse_case_number(text)
    assert refused.value.key == "cases.bad_number"


def test_a_case_number_is_read_in_either_case_and_with_spaces_around() -> None:
    from bot.cases.filing import parse_case_number

    assert parse_case_number(" p2026-00042 ") == "P2026-00042"
    assert parse_case_number("M2031-100000") == "M2031-100000"


def test_filing_is_limited_per_person_and_hour_and_says_when_to_come_back(db: Database) -> None:
    from datetime import timedelta

    firm = person(db, REPORTER)
    now = utcnow()
    draft = Draft(
        kind="product", subject="延長線", location="竹北", description="插座冒火花並有焦味。"
    )

    def submit(at):  # type: ignore[no-untyped-def]
        return db.call(
            submit_report,
            draft=draft,
            person_id=firm.id,
            roles=firm.roles,
            language="zh-TW",
            received_at=at,
            tz=TZ,
            reply_days=30,
            counting="working",
            limit_per_hour=3,
        )

    submit(now - timedelta(minutes=130))  # more than an hour before any later one: not counted
    for minutes in (40, 30, 20):
        submit(now - timedelta(minutes=minutes))
    with pytest.raises(UserError) as refused:
        submit(now)
    assert refused.value.key == "report.limit"
    assert refused.value.values["count"] == 3
    expected = (now - timedelta(minutes=40) + timedelta(hours=1)).astimezone(TZ)
    assert refused.value.values["at"] == expected.strftime("%H:%M")
    other = person(db, REPORTER + 1)
    db.call(
        submit_report,
        draft=draft,
        person_id=other.id,
        roles=other.roles,
        language="zh-TW",
        received_at=now,
        tz=TZ,
        reply_days=30,
        counting="working",
        limit_per_hour=3,
    )


@pytest.mark.parametrize("value", ["0", "-1", "many", "100001"])
def test_the_filing_limit_setting_refuses_bad_values_naming_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.setenv("CASE_FILING_LIMIT_PER_HOUR", value)
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert "CASE_FILING_LIMIT_PER_HOUR" in str(refused.value)
    assert "whole number" in str(refused.value)
