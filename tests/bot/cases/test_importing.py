"""Cases received off-line, imported from CSV: every channel stored, a bad row refuses all."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.cases.importing import import_cases
from kernel.errors import UserError
from storage.db import Database
from storage.models import Case
from storage.queries.cases import fetch_case_by_number
from tests.factories import TZ

CSV_OK = "\n".join(
    [
        "channel,kind,received_on,subject,description,"
        "location,category,unit,contact_name,contact_phone",
        "phone,product,2026-03-02,電暖器 WarmUp HX-200,民眾來電反映電暖器插頭過熱,"
        "竹北市,market,sec2,陳先生,0922000111",
        "letter,service,2026-03-03,報驗櫃台等候時間過長,來函反映櫃台等候超過一小時,,,secretariat,,",
        "",
    ]
)


def test_import_stores_every_channel_and_refuses_a_bad_row_whole(db: Database) -> None:
    numbers = db.call(
        import_cases,
        text=CSV_OK,
        tz=TZ,
        reply_days=30,
        counting="working",
        today=date(2026, 11, 1),
    )
    assert numbers == ["P2026-00001", "S2026-00001"]
    first = db.call(fetch_case_by_number, number="P2026-00001")
    assert first is not None and first.channel == "phone" and first.state == "assigned"
    bad = CSV_OK + "fax,product,2026-03-04,延長線,傳真反映延長線過熱冒煙,,,,,\n"
    with pytest.raises(UserError) as refused:
        db.call(
            import_cases,
            text=bad,
            tz=TZ,
            reply_days=30,
            counting="working",
            today=date(2026, 11, 1),
        )
    assert refused.value.key == "case_import.bad_channel" and refused.value.values["line"] == 4
    count = db.call(lambda *, session: len(session.exec(select(Case)).all()))
    assert count == 2
