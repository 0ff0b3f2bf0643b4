"""storage/queries/registry/certificates.py on a real database."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from storage.db import Database
from storage.queries.registry.certificates import (
    fetch_certificate,
    fetch_certificate_keys,
    fetch_certificates_of,
    fetch_unreachable_certificates,
    update_certificates,
    withdraw_certificates,
)
from tests.storage.queries.registry.rows import FIRM, NOW, OTHER, category_id, certificate, chat


def test_inserted_certificates_are_found_by_kind_and_number_and_by_firm(db: Database) -> None:
    def run(session: Session) -> None:
        late = certificate(session, "R-2", date(2026, 9, 1))
        soon = certificate(session, "R-1", date(2026, 3, 1))
        certificate(session, "R-9", date(2026, 4, 1), tax_id=OTHER)
        kind = category_id(session)
        keys = fetch_certificate_keys(session=session)
        assert set(keys) == {(kind, "R-1"), (kind, "R-2"), (kind, "R-9")}
        assert keys[(kind, "R-1")].id == soon
        assert keys[(kind, "R-1")].expires_on == date(2026, 3, 1)
        assert keys[(kind, "R-1")].withdrawn is False
        assert [c.id for c in fetch_certificates_of(session=session, tax_id=FIRM)] == [soon, late]
        view = fetch_certificate(session=session, certificate_id=soon)
        assert view is not None
        assert (view.kind, view.number, view.tax_id) == ("rpc", "R-1", FIRM)
        assert fetch_certificate(session=session, certificate_id=soon + late + 100) is None

    db.call(run)


def test_an_update_sets_every_column_anew_and_a_withdrawal_is_kept_as_history(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        first = certificate(session, "R-1", date(2026, 3, 1))
        second = certificate(session, "R-2", date(2026, 3, 1))
        withdraw_certificates(session=session, ids=[first, second], now=NOW)
        update_certificates(
            session=session,
            rows=[
                {
                    "row_id": first,
                    "new_tax_id": OTHER,
                    "new_product": "renamed",
                    "new_holder": "holder",
                    "new_expires_on": date(2027, 3, 1),
                    "new_updated_at": NOW,
                }
            ],
        )
        updated = fetch_certificate(session=session, certificate_id=first)
        assert updated is not None
        assert (updated.tax_id, updated.product, updated.holder) == (OTHER, "renamed", "holder")
        assert updated.expires_on == date(2027, 3, 1)
        assert updated.withdrawn is False  # a certificate in the file is in force
        kept = fetch_certificate(session=session, certificate_id=second)
        assert kept is not None and kept.withdrawn is True

    db.call(run)


def test_unreachable_certificates_are_those_in_force_in_the_range_whose_firm_has_no_chat(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        reachable = certificate(session, "R-1", date(2026, 3, 1))
        chat(session, 501, FIRM)
        lonely = certificate(session, "R-2", date(2026, 3, 2), tax_id=OTHER)
        certificate(session, "R-3", date(2026, 8, 1), tax_id=OTHER)  # outside the range
        withdrawn = certificate(session, "R-4", date(2026, 3, 3), tax_id=OTHER)
        withdraw_certificates(session=session, ids=[withdrawn], now=NOW)
        blocked_only = certificate(session, "R-5", date(2026, 3, 4), tax_id="04595257")
        chat(session, 502, "04595257", blocked=True)
        found = fetch_unreachable_certificates(
            session=session, first=date(2026, 3, 1), last=date(2026, 3, 31)
        )
        assert [c.id for c in found] == [lonely, blocked_only]
        assert reachable not in [c.id for c in found]

    db.call(run)
