"""registry: certificates and their expiry reminders, reminder opt-outs, notices targeted by
統一編號, categories' renewal texts, and an index on the profile's 統一編號

Revision ID: 0009_registry
Revises: 0008_outbox
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types  # noqa: F401

revision: str = "0009_registry"
down_revision: str | Sequence[str] | None = "0008_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categoryrenewal",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("text_zh", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("text_en", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("updated_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("category_id"),
    )
    op.create_table(
        "certificate",
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tax_id", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category_id", "number", name="uq_certificate_kind_number"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_expires_on", ["expires_on"], unique=False)
        batch_op.create_index("ix_certificate_tax_id", ["tax_id"], unique=False)

    op.create_table(
        "reminderoptout",
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "expiryreminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("closed_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "certificate_id", "expires_on", "days_before", name="uq_expiryreminder_once"
        ),
    )
    with op.batch_alter_table("expiryreminder", schema=None) as batch_op:
        batch_op.create_index("ix_expiryreminder_state_due", ["state", "due_at"], unique=False)

    op.create_table(
        "noticetaxid",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("tax_id", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notice_id", "tax_id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index("ix_person_tax_id", ["tax_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_tax_id")

    op.drop_table("noticetaxid")
    with op.batch_alter_table("expiryreminder", schema=None) as batch_op:
        batch_op.drop_index("ix_expiryreminder_state_due")

    op.drop_table("expiryreminder")
    op.drop_table("reminderoptout")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_tax_id")
        batch_op.drop_index("ix_certificate_expires_on")

    op.drop_table("certificate")
    op.drop_table("categoryrenewal")
