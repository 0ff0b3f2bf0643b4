"""visits to firms and the needs firms raise, with their answers

Revision ID: 0017_visits
Revises: 0016
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0017_visits"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Aware = storage.types.AwareDateTime
Text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "visit",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("tax_id", Text(length=8), nullable=False),
        sa.Column("firm_name", Text(length=200), nullable=True),
        sa.Column("kind", Text(length=16), nullable=False),
        sa.Column("recorded_by", Text(length=128), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_on_unit", "visit", ["visited_on", "unit_id"])
    op.create_index("ix_visit_tax_id", "visit", ["tax_id"])
    op.create_table(
        "firmneed",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("tax_id", Text(length=8), nullable=False),
        sa.Column("firm_name", Text(length=200), nullable=True),
        sa.Column("channel", Text(length=16), nullable=False),
        sa.Column("text", Text(length=2000), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", Text(length=128), nullable=False),
        sa.Column("answer", Text(length=2000), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", Text(length=128), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_firmneed_raised_unit", "firmneed", ["raised_on", "unit_id"])
    op.create_index("ix_firmneed_open_due", "firmneed", ["answered_on", "due_on"])


def downgrade() -> None:
    op.execute(
        "DELETE FROM delivery"
        " WHERE notice_id IN (SELECT id FROM notice WHERE kind = 'need_reminder')"
    )
    op.execute(
        "DELETE FROM outboxtext"
        " WHERE id IN (SELECT ref_id FROM notice WHERE kind = 'need_reminder')"
    )
    op.execute("DELETE FROM notice WHERE kind = 'need_reminder'")
    op.drop_index("ix_firmneed_open_due", table_name="firmneed")
    op.drop_index("ix_firmneed_raised_unit", table_name="firmneed")
    op.drop_table("firmneed")
    op.drop_index("ix_visit_tax_id", table_name="visit")
    op.drop_index("ix_visit_on_unit", table_name="visit")
    op.drop_table("visit")
