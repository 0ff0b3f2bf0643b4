"""storage/queries/people.py on a real database: the person upsert and view, language and
blocking, units, invites, grants and their holders, forgetting a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from storage.db import Database
from storage.models import Person, Role, RoleGrant, Subscription
from storage.queries.people import (
    INVITE_VALIDITY,
    count_people,
    create_invite,
    fetch_person_view,
    fetch_role_holders,
    fetch_staff_telegram_ids,
    fetch_unit_by_code,
    fetch_units,
    forget_person,
    grant_role,
    redeem_invite,
    revoke_grant,
    set_blocked,
    set_language,
    upsert_person,
)
from tests.storage.queries.rows import category_id, person, unit_id

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_a_person_is_created_once_and_their_names_kept_current(db: Database) -> None:
    def run(session: Session) -> None:
        first = upsert_person(session, telegram_id=501, first_name="Ada", username="ada")
        assert (first.telegram_id, first.first_name, first.username) == (501, "Ada", "ada")
        assert (first.roles, first.language, first.blocked) == (frozenset(), None, False)
        again = upsert_person(session, telegram_id=501, first_name="Ada L.", username=None)
        assert again.id == first.id and (again.first_name, again.username) == ("Ada L.", None)
        assert count_people(session) == 1

    db.call(run)


def test_a_blocked_person_who_writes_again_is_unblocked(db: Database) -> None:
    def run(session: Session) -> None:
        row = person(session, 502, blocked=True, blocked_at=NOW)
        view = upsert_person(session, telegram_id=502, first_name=row.first_name, username=None)
        assert view.blocked is False
        session.refresh(row)
        assert (row.blocked, row.blocked_at) == (False, None)

    db.call(run)


def test_the_person_view_carries_active_grants_units_and_the_admins_of_the_settings(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        assert fetch_person_view(session, telegram_id=503) is None
        row = person(session, 503)
        assert row.id is not None
        grant_role(
            session, person_id=row.id, role=Role.INSPECTOR, unit_id=unit_id(session, "sec2")
        )
        revoked = grant_role(session, person_id=row.id, role=Role.SECRETARIAT)
        revoked.revoked_at = NOW
        session.flush()
        view = fetch_person_view(session, telegram_id=503)
        assert view is not None
        assert view.roles == {Role.INSPECTOR} and view.unit_ids == {unit_id(session, "sec2")}
        assert view.is_staff and not view.has_any({Role.SECRETARIAT})
        admin = fetch_person_view(session, telegram_id=503, admin_ids=frozenset({503}))
        assert admin is not None and admin.roles == {Role.INSPECTOR, Role.ADMIN}

    db.call(run)


def test_language_and_blocking_are_written_and_blocking_says_whether_it_changed(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        row = person(session, 504)
        assert row.id is not None
        set_language(session, person_id=row.id, language="en")
        assert set_blocked(session, telegram_id=504, blocked=True) is True
        assert set_blocked(session, telegram_id=504, blocked=True) is False
        assert set_blocked(session, telegram_id=999, blocked=True) is False
        stored = session.exec(select(Person).where(Person.telegram_id == 504)).one()
        session.refresh(stored)
        assert (stored.language, stored.blocked, stored.blocked_at is not None) == (
            "en",
            True,
            True,
        )
        assert set_blocked(session, telegram_id=504, blocked=False) is True
        session.refresh(stored)
        assert (stored.blocked, stored.blocked_at) == (False, None)

    db.call(run)


def test_units_are_found_by_code_or_chinese_name_and_listed_in_order(db: Database) -> None:
    def run(session: Session) -> None:
        by_code = fetch_unit_by_code(session, code=" SEC2 ")
        by_name = fetch_unit_by_code(session, code="第二課")
        assert by_code is not None and by_name is not None and by_code.id == by_name.id
        assert fetch_unit_by_code(session, code="nowhere") is None
        units = fetch_units(session)
        assert [u.code for u in units][:3] == ["sec1", "sec2", "sec3"]
        by_code.active = False
        session.flush()
        assert "sec2" not in [u.code for u in fetch_units(session)]
        assert "sec2" in [u.code for u in fetch_units(session, active_only=False)]

    db.call(run)


def test_an_invite_grants_its_role_once_and_refuses_used_expired_and_unknown_codes(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        staff, newcomer, other = person(session, 505), person(session, 506), person(session, 507)
        assert staff.id and newcomer.id and other.id
        sec1 = unit_id(session, "sec1")
        invite = create_invite(
            session, role=Role.INSPECTOR, unit_id=sec1, created_by_id=staff.id, now=NOW
        )
        assert invite.expires_at == NOW + INVITE_VALIDITY and invite.code.isalnum()
        later = NOW + timedelta(hours=1)
        granted = redeem_invite(session, code=invite.code, person_id=newcomer.id, now=later)
        assert (granted.outcome, granted.role, granted.unit_id) == (
            "granted",
            Role.INSPECTOR,
            sec1,
        )
        assert redeem_invite(session, code=invite.code, person_id=other.id, now=later).outcome == (
            "used"
        )
        assert redeem_invite(session, code="nope", person_id=other.id).outcome == "unknown"
        old = create_invite(session, role=Role.MONITOR, unit_id=None, created_by_id=None, now=NOW)
        expired = redeem_invite(
            session, code=old.code, person_id=other.id, now=NOW + INVITE_VALIDITY
        )
        assert (expired.outcome, expired.role) == ("expired", Role.MONITOR)
        again = create_invite(
            session, role=Role.INSPECTOR, unit_id=sec1, created_by_id=None, now=NOW
        )
        assert redeem_invite(
            session, code=again.code, person_id=newcomer.id, now=later
        ).outcome == ("already")
        grants = session.exec(select(RoleGrant).where(RoleGrant.person_id == newcomer.id)).all()
        assert [(g.role, g.unit_id, g.granted_by_id) for g in grants] == [
            ("inspector", sec1, staff.id)
        ]

    db.call(run)


def test_role_holders_are_listed_by_role_then_name_and_a_revoked_grant_leaves_the_list(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        zoe, amy = person(session, 508, first_name="Zoe"), person(session, 509, first_name="Amy")
        assert zoe.id and amy.id
        grant_role(session, person_id=zoe.id, role=Role.SECRETARIAT)
        inspector = grant_role(
            session, person_id=zoe.id, role=Role.INSPECTOR, unit_id=unit_id(session, "sec3")
        )
        grant_role(session, person_id=amy.id, role=Role.INSPECTOR)
        holders = fetch_role_holders(session)
        assert [(h.role, h.first_name, h.unit_code) for h in holders] == [
            (Role.INSPECTOR, "Amy", None),
            (Role.INSPECTOR, "Zoe", "sec3"),
            (Role.SECRETARIAT, "Zoe", None),
        ]
        assert fetch_staff_telegram_ids(session) == {
            508: frozenset({Role.SECRETARIAT, Role.INSPECTOR}),
            509: frozenset({Role.INSPECTOR}),
        }
        assert inspector.id is not None
        lost = revoke_grant(session, grant_id=inspector.id, revoked_by_id=amy.id)
        assert lost is not None and (lost.telegram_id, lost.role) == (508, Role.INSPECTOR)
        assert revoke_grant(session, grant_id=inspector.id, revoked_by_id=amy.id) is None
        assert fetch_staff_telegram_ids(session)[508] == {Role.SECRETARIAT}
        session.refresh(inspector)
        assert inspector.revoked_by_id == amy.id and inspector.revoked_at is not None

    db.call(run)


def test_forgetting_a_person_deletes_them_and_their_subscriptions(db: Database) -> None:
    def run(session: Session) -> None:
        row = person(session, 510)
        assert row.id is not None
        session.add(Subscription(person_id=row.id, category_id=category_id(session, "cns")))
        session.flush()
        assert forget_person(session, person_id=row.id) is True
        assert forget_person(session, person_id=row.id) is False
        assert session.exec(select(Subscription)).all() == []
        assert count_people(session) == 0

    db.call(run)
