"""findings: improvement actions answering a survey's findings, and their history

Revision ID: 0017_findings
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0017_findings"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Aware = storage.types.AwareDateTime
Text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "surveyimprovement",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("plan", Text(length=2000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", Text(length=16), nullable=False),
        sa.Column("verification", Text(length=2000), nullable=True),
        sa.Column("opened_by", Text(length=128), nullable=False),
        sa.Column("closed_by", Text(length=128), nullable=True),
        sa.Column("closed_at", Aware(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["surveyquestion.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_surveyimprovement_survey", "surveyimprovement", ["survey_id", "question_id"]
    )
    op.create_index("ix_surveyimprovement_unit_id", "surveyimprovement", ["unit_id"])
    op.create_index("ix_surveyimprovement_state", "surveyimprovement", ["state"])
    op.create_table(
        "surveyimprovementevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("improvement_id", sa.Integer(), nullable=False),
        sa.Column("at", Aware(timezone=True), nullable=False),
        sa.Column("actor", Text(length=128), nullable=False),
        sa.Column("from_state", Text(length=16), nullable=True),
        sa.Column("to_state", Text(length=16), nullable=False),
        sa.Column("note", Text(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["improvement_id"], ["surveyimprovement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_surveyimprovementevent_improvement_id", "surveyimprovementevent", ["improvement_id"]
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM delivery"
        " WHERE notice_id IN (SELECT id FROM notice WHERE kind = 'improvement_reminder')"
    )
    op.execute(
        "DELETE FROM outboxtext WHERE id IN"
        " (SELECT ref_id FROM notice WHERE kind = 'improvement_reminder')"
    )
    op.execute("DELETE FROM notice WHERE kind = 'improvement_reminder'")
    op.drop_index("ix_surveyimprovementevent_improvement_id", "surveyimprovementevent")
    op.drop_table("surveyimprovementevent")
    op.drop_index("ix_surveyimprovement_state", "surveyimprovement")
    op.drop_index("ix_surveyimprovement_unit_id", "surveyimprovement")
    op.drop_index("ix_surveyimprovement_survey", "surveyimprovement")
    op.drop_table("surveyimprovement")
