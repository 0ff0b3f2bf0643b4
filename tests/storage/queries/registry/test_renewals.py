"""storage/queries/registry/renewals.py on a real database."""

from __future__ import annotations

from sqlmodel import Session

from storage.db import Database
from storage.queries.registry.renewals import fetch_category_renewal, save_renewal
from tests.storage.queries.registry.rows import NOW, category_id


def test_a_renewal_text_is_saved_then_replaced_and_found_by_the_category_code(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        rpc = category_id(session, "rpc")
        assert fetch_category_renewal(session=session, code="rpc") is None
        save_renewal(session=session, category_id=rpc, text_zh="請換證", text_en="Renew", now=NOW)
        save_renewal(
            session=session, category_id=rpc, text_zh="請線上換證", text_en="Online", now=NOW
        )
        found = fetch_category_renewal(session=session, code="rpc")
        assert found is not None
        assert (found.category_id, found.text_zh, found.text_en) == (rpc, "請線上換證", "Online")
        assert fetch_category_renewal(session=session, code="cns") is None

    db.call(run)
