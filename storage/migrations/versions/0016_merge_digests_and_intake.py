"""Merge the revisions of the e-mail digests (issue 21) and /intake (issue 22).

Revision ID: 0016
Revises: 0015_digests, 0015_intake
Create Date: 2026-12-07 15:05:00
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | Sequence[str] | None = ("0015_digests", "0015_intake")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
