"""A survey message handed to the notice outbox: one notice row of the feature's kind, whose
message `compose.py` writes per language, and one delivery per chosen chat, paced, retried and
recorded by the delivery worker like any notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from storage.queries.outbox.enqueue import enqueue
from storage.queries.surveys import insert_composed_notice


def hand_to_outbox(
    session: Session,
    *,
    kind: str,
    ref_id: int,
    title: str,
    recipients: Sequence[tuple[int | None, int]],
    now: datetime,
) -> int:
    """Write the notice and its deliveries to (person id, chat id) in the caller's
    transaction; returns the notice's id."""
    notice_id = insert_composed_notice(session=session, kind=kind, ref_id=ref_id, title=title)
    enqueue(session=session, notice_id=notice_id, recipients=recipients, now=now)
    return notice_id
