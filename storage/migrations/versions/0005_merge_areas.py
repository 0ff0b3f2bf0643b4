"""Merge the notice, case and courtesy branches into one history.

The three areas were built side by side, each revising the foundation (0001); from here on
there is a single head again, so `alembic upgrade head` and new revisions work as usual.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-26 21:40:00
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: a merge point only."""


def downgrade() -> None:
    """Nothing to change: a merge point only."""
