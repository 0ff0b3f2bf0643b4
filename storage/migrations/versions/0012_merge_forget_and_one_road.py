"""Merge the revisions of /forget's unlinking (issue 18) and the one road for messages (issue 19).

Revision ID: 0012
Revises: 0011_forget_unlinks, 0011_one_road
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | Sequence[str] | None = ("0011_forget_unlinks", "0011_one_road")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
