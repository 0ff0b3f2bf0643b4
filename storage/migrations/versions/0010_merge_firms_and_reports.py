"""Merge the revisions of the self-assessment, the certificate register and the surveys.

Revision ID: 0010
Revises: 0009_assessment, 0009_registry, 0009_surveys
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | Sequence[str] | None = ("0009_assessment", "0009_registry", "0009_surveys")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
