"""Merge the revision of recurring duties and training sessions (issue 23) with 0018.

Revision ID: 0019
Revises: 0018, 0017_duties
Create Date: 2026-12-07 17:30:00
"""

from collections.abc import Sequence

revision: str = "0019"
down_revision: str | Sequence[str] | None = ("0018", "0017_duties")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
