"""Merge the revisions of survey findings' improvement actions and of visits to firms
(issue 23).

Revision ID: 0018
Revises: 0017_findings, 0017_visits
Create Date: 2026-12-07 17:20:00
"""

from collections.abc import Sequence

revision: str = "0018"
down_revision: str | Sequence[str] | None = ("0017_findings", "0017_visits")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
