"""surveys: periodic surveys of firms and the satisfaction question after a closed case

Answers link to a person only through a nullable person_id (ON DELETE SET NULL), which
/forget clears.

Revision ID: 0009_surveys
Revises: 0008_outbox
Create Date: 2026-12-01 23:52:26.102917
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types  # noqa: F401

revision: str = "0009_surveys"
down_revision: str | Sequence[str] | None = "0008_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sent_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_template"), ["template"], unique=False)

    op.create_table(
        "surveyinvitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("finished_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "person_id", name="uq_surveyinvitation_person"),
    )
    with op.batch_alter_table("surveyinvitation", schema=None) as batch_op:
        batch_op.create_index("ix_surveyinvitation_person", ["person_id"], unique=False)

    op.create_table(
        "surveyquestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("text_zh", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "position", name="uq_surveyquestion_pos"),
    )
    op.create_table(
        "casefollowup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("asked_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("comment_done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["casefile.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    with op.batch_alter_table("casefollowup", schema=None) as batch_op:
        batch_op.create_index("ix_casefollowup_asked", ["asked_at"], unique=False)

    op.create_table(
        "surveyanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invitation_id"], ["surveyinvitation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["surveyquestion.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invitation_id", "question_id", name="uq_surveyanswer_question"),
    )
    with op.batch_alter_table("surveyanswer", schema=None) as batch_op:
        batch_op.create_index("ix_surveyanswer_question", ["question_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("surveyanswer", schema=None) as batch_op:
        batch_op.drop_index("ix_surveyanswer_question")

    op.drop_table("surveyanswer")
    with op.batch_alter_table("casefollowup", schema=None) as batch_op:
        batch_op.drop_index("ix_casefollowup_asked")

    op.drop_table("casefollowup")
    op.drop_table("surveyquestion")
    with op.batch_alter_table("surveyinvitation", schema=None) as batch_op:
        batch_op.drop_index("ix_surveyinvitation_person")

    op.drop_table("surveyinvitation")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_template"))

    op.drop_table("survey")
