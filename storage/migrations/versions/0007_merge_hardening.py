"""Merge the hardening revisions of cases (batched imports) and delivery (pauses).

Revision ID: 0007
Revises: 0006_cases, 0006_delivery
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | Sequence[str] | None = ("0006_cases", "0006_delivery")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the two branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
