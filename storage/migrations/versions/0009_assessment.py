"""assessment: yearly targets, the self-assessment's scores (with history), follow-ups,
publication of a period and the deadline reminders sent

Revision ID: 0009_assessment
Revises: 0008_outbox
Create Date: 2026-12-02 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0009_assessment"
down_revision: str | Sequence[str] | None = "0008_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware() -> storage.types.AwareDateTime:
    return storage.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "yeartarget",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("public", sa.Integer(), nullable=True),
        sa.Column("monitor", sa.Integer(), nullable=True),
        sa.Column("courtesy", sa.Integer(), nullable=True),
        sa.Column("updated_at", _aware(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "assessmentscore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("basic", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("evaluation", sa.Integer(), nullable=False),
        sa.Column("innovation", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("recorded_at", _aware(), nullable=False),
        sa.Column("superseded_at", _aware(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assessmentscore_period_unit", "assessmentscore", ["period", "unit_id"], unique=False
    )
    op.create_table(
        "assessmentfollowup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("recorded_at", _aware(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_assessmentfollowup_period"), "assessmentfollowup", ["period"], unique=False
    )
    op.create_table(
        "assessmentpublication",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("published_at", _aware(), nullable=False),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "assessmentreminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", _aware(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("assessmentreminder")
    op.drop_table("assessmentpublication")
    op.drop_index(op.f("ix_assessmentfollowup_period"), table_name="assessmentfollowup")
    op.drop_table("assessmentfollowup")
    op.drop_index("ix_assessmentscore_period_unit", table_name="assessmentscore")
    op.drop_table("assessmentscore")
    op.drop_table("yeartarget")
