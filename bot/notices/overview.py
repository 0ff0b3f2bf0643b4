"""What /notices shows staff: the delivery progress of recent notices and, for the
secretariat and admins, the certificates expiring soon that no chat can be told about, so the
branch calls or writes to those firms instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.notices.status import Overview, delivery_overview
from storage.queries.outbox.unknown import count_unknown_deliveries
from storage.queries.registry import certificates as certificates_q
from storage.queries.registry.certificates import CertificateView

UNREACHABLE_DAYS = 90


@dataclass(frozen=True)
class StaffOverview:
    delivery: Overview
    unreachable: list[CertificateView]
    unknown: int = 0
    """Deliveries of any kind left unknown, waiting for a person to check them."""


def staff_overview(
    session: Session, *, limit: int, with_unreachable: bool, today: date
) -> StaffOverview:
    """Recent notices' progress; with `with_unreachable`, the certificates in force expiring
    within UNREACHABLE_DAYS whose firm no chat holds, soonest first."""
    unreachable: list[CertificateView] = []
    if with_unreachable:
        unreachable = certificates_q.fetch_unreachable_certificates(
            session=session, first=today, last=today + timedelta(days=UNREACHABLE_DAYS)
        )
    return StaffOverview(
        delivery_overview(session=session, limit=limit),
        unreachable,
        count_unknown_deliveries(session=session),
    )
