"""e-mail digests: one row per frequency and day, with the window of releases it covers

Revision ID: 0015_digests
Revises: 0014
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0015_digests"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Aware = storage.types.AwareDateTime


def upgrade() -> None:
    op.create_table(
        "emaildigest",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since", Aware(timezone=True), nullable=False),
        sa.Column("cut_off", Aware(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("frequency", "day", name="uq_emaildigest_frequency_day"),
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM delivery"
        " WHERE notice_id IN (SELECT id FROM notice WHERE kind = 'email_digest')"
    )
    op.execute("DELETE FROM notice WHERE kind = 'email_digest'")
    op.drop_table("emaildigest")
