"""Merge the revisions of the public archive and the e-mail channel (issue 21).

Revision ID: 0014
Revises: 0013, 0013_email
Create Date: 2026-12-07 14:20:00
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | Sequence[str] | None = ("0013", "0013_email")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
