"""storage/queries/cases.py on a real database: numbering, imports (hidden until finished),
storing and reading a case, lists for staff and reporters, and who is told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from storage.db import Database
from storage.models import Case, CaseAttachment, CaseCounter, CaseEvent, CaseReporter, Role
from storage.models.cases import CaseImport, CaseKind
from storage.queries import cases as q
from storage.queries.people import grant_role
from tests.storage.queries.rows import TZ, case, category_id, person, unit_id

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 31)


def test_case_numbers_are_taken_one_by_one_or_in_blocks_given_back_only_when_last(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        assert q.take_case_number(session, kind=CaseKind.PRODUCT, year=2026) == 1
        assert q.take_case_number(session, kind=CaseKind.PRODUCT, year=2026) == 2
        assert q.take_case_number(session, kind=CaseKind.SERVICE, year=2026) == 1
        assert q.take_case_number(session, kind=CaseKind.PRODUCT, year=2027) == 1
        first = q.reserve_case_numbers(session, kind="product", year=2026, count=5)
        assert first == 3
        assert q.reserve_case_numbers(session, kind="monitor", year=2026, count=4) == 1
        q.give_back_case_numbers(session, kind="product", year=2026, first=3, count=5)
        assert q.take_case_number(session, kind=CaseKind.PRODUCT, year=2026) == 3
        block = q.reserve_case_numbers(session, kind="product", year=2026, count=2)
        q.take_case_number(session, kind=CaseKind.PRODUCT, year=2026)  # taken after the block
        q.give_back_case_numbers(session, kind="product", year=2026, first=block, count=2)
        assert q.take_case_number(session, kind=CaseKind.PRODUCT, year=2026) == block + 3

    db.call(run)


def test_the_counter_is_raised_to_a_seeded_number_never_lowered(db: Database) -> None:
    def run(session: Session) -> None:
        q.set_case_counter(session, kind=CaseKind.MONITOR, year=2026, last_seq=40)
        q.set_case_counter(session, kind=CaseKind.MONITOR, year=2026, last_seq=10)
        counter = session.get(CaseCounter, ("monitor", 2026))
        assert counter is not None and counter.last_seq == 40
        assert q.take_case_number(session, kind=CaseKind.MONITOR, year=2026) == 41

    db.call(run)


def imported(number: str) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
    """A case row, its reporter and its first event, as an import writes them."""
    received = datetime.combine(date(2026, 2, 2), time(10), tzinfo=TZ)
    row = {
        "created_at": NOW,
        "kind": "product",
        "channel": "phone",
        "subject": "延長線",
        "location": None,
        "description": "—",
        "category_id": None,
        "number": number,
        "year": 2026,
        "seq": int(number[-5:]),
        "state": "received",
        "unit_id": None,
        "received_at": received,
        "received_on": received.date(),
        "due_on": date(2026, 3, 16),
        "extended_days": 0,
    }
    reporter = {"anonymous": False, "contact_name": "王小明", "contact_phone": "0912345678"}
    event = {"at": received, "action": "import", "to_state": "received"}
    return row, reporter, event


def test_an_imports_cases_stay_hidden_until_it_finishes_and_a_deleted_one_leaves_nothing(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        import_id = q.start_case_import(session, at=NOW, rows=2)
        rows = [imported("P2026-00901"), imported("P2026-00902")]
        q.insert_imported_cases(
            session,
            import_id=import_id,
            at=NOW + timedelta(minutes=1),
            cases=[r for r, _, _ in rows],
            reporters=[rows[0][1], None],
            events=[e for _, _, e in rows],
        )
        assert q.fetch_case_by_number(session, number="p2026-00901") is None  # unfinished
        assert q.count_cases(session) == 2
        assert q.fetch_abandoned_imports(session, touched_before=NOW + timedelta(minutes=2)) == [
            import_id
        ]
        assert q.fetch_abandoned_imports(session, touched_before=NOW) == []
        q.finish_case_import(session, import_id=import_id, at=NOW + timedelta(minutes=3))
        found = q.fetch_case_by_number(session, number=" p2026-00901 ")
        assert found is not None and found.id is not None and found.import_id == import_id
        reporter, who = q.fetch_case_reporter(session, case_id=found.id)
        assert (reporter.contact_name, who) == ("王小明", None)
        assert [e.action for e in q.fetch_case_events(session, case_id=found.id)] == ["import"]
        assert q.fetch_abandoned_imports(session, touched_before=NOW + timedelta(days=1)) == []

        other = q.start_case_import(session, at=NOW, rows=1)
        row, reporter_row, event = imported("P2026-00903")
        q.insert_imported_cases(
            session, import_id=other, at=NOW, cases=[row], reporters=[reporter_row], events=[event]
        )
        assert q.delete_case_import(session, import_id=other) == 1
        assert session.get(CaseImport, other) is None
        assert q.count_cases(session) == 2
        assert len(session.exec(select(CaseReporter)).all()) == 1
        assert len(session.exec(select(CaseEvent)).all()) == 2

    db.call(run)


def test_an_imports_look_ups_find_categories_and_units_by_code_and_chinese_name(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        categories, units = q.fetch_codes_to_ids(session)
        assert categories["cns"] == category_id(session, "cns")
        assert units["sec2"] == units["第二課"] == unit_id(session, "sec2")

    db.call(run)


def test_a_saved_case_is_read_back_with_its_reporter_files_and_events_in_order(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        reporter = person(session, 701)
        received = datetime.combine(date(2026, 3, 2), time(9), tzinfo=TZ)
        saved = q.save_case(
            session,
            case_row=Case(
                kind="product",
                subject="吹風機",
                description="—",
                number="P2026-00001",
                year=2026,
                seq=1,
                received_at=received,
                received_on=received.date(),
                due_on=date(2026, 4, 14),
            ),
            reporter=CaseReporter(case_id=0, person_id=reporter.id, language="zh-TW"),
            attachments=[
                CaseAttachment(case_id=0, kind="photo", file_id="AgAC-1"),
                CaseAttachment(case_id=0, kind="document", file_id="BQAC-2", file_name="a.pdf"),
            ],
            event=CaseEvent(case_id=0, at=received, action="file", to_state="received"),
        )
        assert saved.id is not None
        q.add_case_event(
            session,
            case_id=saved.id,
            at=received + timedelta(hours=1),
            actor_id=None,
            action="assign",
            from_state="received",
            to_state="assigned",
            note="第二課",
        )
        session.flush()
        assert q.fetch_case_by_number(session, number="P2026-00001", lock=True) is saved
        row, who = q.fetch_case_reporter(session, case_id=saved.id)
        assert who is not None and who.telegram_id == 701 and row.language == "zh-TW"
        files = q.fetch_case_attachments(session, case_id=saved.id)
        assert [(f.kind, f.file_name) for f in files] == [("photo", None), ("document", "a.pdf")]
        events = q.fetch_case_events(session, case_id=saved.id)
        assert [(e.action, e.note) for e in events] == [("file", None), ("assign", "第二課")]
        off_line = case(session, date(2026, 3, 3))
        assert off_line.id is not None
        assert q.fetch_case_reporter(session, case_id=off_line.id)[1] is None

    db.call(run)


def filed_by(session: Session, who: int, received: datetime, channel: str = "telegram") -> Case:
    row = case(session, received.astimezone(TZ).date(), channel=channel)
    row.received_at = received
    session.add(CaseReporter(case_id=row.id or 0, person_id=who))
    session.flush()
    return row


def test_a_reporters_cases_come_newest_first_a_page_at_a_time_and_chat_filings_are_timed(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        ada = person(session, 702).id
        assert ada is not None
        times = [NOW - timedelta(days=d) for d in (3, 2, 1)]
        older, middle, newest = (filed_by(session, ada, at) for at in times)
        phoned = filed_by(session, ada, NOW, channel="phone")
        page, total = q.fetch_cases_of_reporter(session, person_id=ada, limit=2)
        assert total == 4 and page == [phoned, newest]
        page, _ = q.fetch_cases_of_reporter(session, person_id=ada, offset=2, limit=2)
        assert page == [middle, older]
        assert q.fetch_cases_of_reporter(session, person_id=10**6) == ([], 0)
        since = NOW - timedelta(days=2, hours=1)
        assert q.fetch_filing_times(session, person_id=ada, since=since) == times[1:]

    db.call(run)


def test_staff_lists_open_overdue_and_new_cases_by_deadline_within_units(db: Database) -> None:
    def run(session: Session) -> None:
        sec1, sec2 = unit_id(session, "sec1"), unit_id(session, "sec2")
        new = case(session, date(2026, 3, 20), due_on=date(2026, 4, 20))
        overdue = case(
            session, date(2026, 1, 5), due_on=date(2026, 2, 16), unit="sec1", state="investigating"
        )
        waiting = case(
            session, date(2026, 1, 5), due_on=date(2026, 2, 10), unit="sec2", state="needs_info"
        )
        case(session, date(2026, 1, 5), due_on=date(2026, 2, 1), closed_on=date(2026, 2, 2))
        open_rows, total = q.fetch_case_list(session, which="open", today=TODAY, unit_ids=None)
        assert (open_rows, total) == ([waiting, overdue, new], 3)
        assert q.fetch_case_list(
            session, which="open", today=TODAY, unit_ids=frozenset({sec2})
        ) == (
            [waiting],
            1,
        )
        assert q.fetch_case_list(session, which="overdue", today=TODAY, unit_ids=None) == (
            [overdue],
            1,
        )
        assert q.fetch_case_list(session, which="new", today=TODAY, unit_ids=None) == ([new], 1)
        page, total = q.fetch_case_list(
            session, which="open", today=TODAY, unit_ids=frozenset({sec1, sec2}), limit=1
        )
        assert (page, total) == ([waiting], 2)
        overdue_rows = q.fetch_overdue_cases(session, today=TODAY)
        assert [(c.number, u.code if u else None) for c, u in overdue_rows] == [
            (overdue.number, "sec1")
        ]
        assert q.fetch_overdue_cases(session, today=date(2026, 2, 16)) == []
        assert q.fetch_running_cases(session) == [overdue]  # assigned to a unit, clock running

    db.call(run)


def test_who_is_told_inspectors_of_a_unit_and_holders_of_a_role_neither_blocked_nor_revoked(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        sec1 = unit_id(session, "sec1")
        ids = {n: person(session, n, blocked=(n == 713)).id for n in (711, 712, 713, 714)}
        for n in (711, 713):
            grant_role(session, person_id=ids[n] or 0, role=Role.INSPECTOR, unit_id=sec1)
        grant_role(session, person_id=ids[711] or 0, role=Role.INSPECTOR, unit_id=sec1)
        grant_role(session, person_id=ids[712] or 0, role=Role.INSPECTOR)
        revoked = grant_role(session, person_id=ids[714] or 0, role=Role.INSPECTOR, unit_id=sec1)
        revoked.revoked_at = NOW
        grant_role(session, person_id=ids[712] or 0, role=Role.SECRETARIAT)
        session.flush()
        assert [p.telegram_id for p in q.fetch_unit_inspectors(session, unit_id=sec1)] == [711]
        assert sorted(
            p.telegram_id for p in q.fetch_role_people(session, role=Role.INSPECTOR)
        ) == [
            711,
            712,
        ]
        assert [p.telegram_id for p in q.fetch_role_people(session, role=Role.SECRETARIAT)] == [
            712
        ]
        assert q.fetch_role_people(session, role=Role.ADMIN) == []

    db.call(run)


def test_the_cases_categories_are_the_active_ones_in_display_order(db: Database) -> None:
    def run(session: Session) -> None:
        rpc = q.fetch_category_by_code(session, code=" RPC")
        assert rpc is not None and rpc.id == category_id(session, "rpc")
        rpc.retired_at = NOW
        session.flush()
        codes = [c.code for c in q.fetch_categories(session)]
        assert "rpc" not in codes and codes[0] == "cns"
        assert q.fetch_category_by_code(session, code="rpc") is rpc  # still found by its code
        assert q.fetch_category_by_code(session, code="none") is None

    db.call(run)
