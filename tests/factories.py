"""What tests build again and again: people with roles, cases filed on a given day, a
branch directory for the courtesy tests, and the command line run in-process."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session
from typer.testing import CliRunner

from bot.cases.filing import Draft, Filed, file_case
from bot.cases.lifecycle import act
from bot.cli.app import app
from bot.notices.subscriptions import subscribe_by_codes
from storage.db import Database
from storage.models import Person, Role
from storage.queries.people import PersonView, fetch_person_view, fetch_unit_by_code, grant_role
from storage.queries.people import upsert_person as _upsert
from storage.seeds import UNITS

TZ = ZoneInfo("Asia/Taipei")


def person(
    db: Database, telegram_id: int, *roles: Role, unit: str | None = None, name: str = "Tester"
) -> PersonView:
    """A person with `roles` (an inspector's grant within `unit`)."""

    def make(session: Session) -> PersonView:
        view = _upsert(session=session, telegram_id=telegram_id, first_name=name, username=None)
        unit_id = None
        if unit is not None:
            found = fetch_unit_by_code(session=session, code=unit)
            assert found is not None
            unit_id = found.id
        for role in roles:
            grant_role(session=session, person_id=view.id, role=role, unit_id=unit_id)
        session.flush()
        fresh = fetch_person_view(session=session, telegram_id=telegram_id)
        assert fresh is not None
        return fresh

    return db.call(make)


def file_on(
    db: Database,
    day: date,
    *,
    kind: str = "product",
    reporter: PersonView | None = None,
    subject: str = "行動電源 PowerMax 20000mAh",
    contact: tuple[str, str] | None = None,
    anonymous: bool = False,
    reply_days: int = 30,
    counting: str = "working",
) -> Filed:
    """File a complete case received at 10:00 Taipei time on `day`."""
    draft = Draft(
        kind=kind,
        subject=subject,
        location="新竹市東區某量販店",
        description="充電時外殼過熱變形，疑似未貼商品安全標章。",
        anonymous=anonymous,
        contact_name=contact[0] if contact else None,
        contact_phone=contact[1] if contact else None,
    )
    return db.call(
        file_case,
        draft=draft,
        person_id=reporter.id if reporter else None,
        roles=reporter.roles if reporter else frozenset({Role.MONITOR}),
        language="zh-TW",
        received_at=datetime.combine(day, time(10), tzinfo=TZ),
        tz=TZ,
        reply_days=reply_days,
        counting=counting,
    )


def do(
    db: Database,
    number: str,
    action: str,
    actor: PersonView,
    day: date,
    *,
    text: str | None = None,
    unit: str | None = None,
    counting: str = "working",
):  # type: ignore[no-untyped-def]
    """Apply one action on `day`."""
    return db.call(
        act,
        number=number,
        action=action,
        actor=actor,
        today=day,
        counting=counting,
        text=text,
        unit_code=unit,
        now=datetime.combine(day, time(15), tzinfo=TZ),
    )


# The courtesy rubric's full marks but for answer speed, and a directory of every unit.
FULL = {
    "unit_name": 8,
    "greeting": 6,
    "surname": 6,
    "tone": 20,
    "accuracy": 15,
    "handling": 10,
    "closing": 10,
}


def directory_csv() -> str:
    lines = ["unit,name,extension,inspector,switchboard"]
    extension = 200
    for index, (code, name_zh, _) in enumerate(UNITS):
        for k in range(7):
            extension += 1
            unit = name_zh if index % 2 else code
            inspector = "yes" if k == 0 else "no"
            switchboard = "yes" if code == "secretariat" and k == 1 else "no"
            lines.append(f"{unit},職員{extension},{extension},{inspector},{switchboard}")
    return "\n".join(lines) + "\n"


def run_courtesy(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    """`bsmi-desk courtesy ARGS…` in-process: exit code, stdout, stderr."""
    result = cli.invoke(app, ["courtesy", *args])
    return result.exit_code, result.stdout, result.stderr


def add_firm(
    session: Session, telegram_id: int, codes: list[str], *, blocked: bool = False
) -> Person:
    """A firm's chat subscribed to `codes` (English), flushed so it has an id."""
    person = Person(telegram_id=telegram_id, first_name=f"firm {telegram_id}", blocked=blocked)
    session.add(person)
    session.flush()
    assert person.id is not None
    subscribe_by_codes(session=session, person_id=person.id, codes=codes, language="en")
    return person
