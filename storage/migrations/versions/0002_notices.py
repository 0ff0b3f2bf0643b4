"""notices: subscriptions, notices, the delivery outbox and the worker lease

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "category_id", name="uq_subscription_person_category"),
    )
    op.create_index("ix_subscription_category", "subscription", ["category_id"])
    op.create_table(
        "notice",
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scheduled_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("released_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("attachment_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column(
            "attachment_file_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_state_due", "notice", ["state", "scheduled_at"])
    op.create_table(
        "noticecategory",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"]),
        sa.PrimaryKeyConstraint("notice_id", "category_id"),
    )
    op.create_table(
        "noticeattachment",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("first_error_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("sent_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "chat_id", name="uq_delivery_notice_chat"),
    )
    op.create_index("ix_delivery_due", "delivery", ["status", "next_attempt_at"])
    op.create_table(
        "workerlease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("acquired_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("workerlease")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("noticeattachment")
    op.drop_table("noticecategory")
    op.drop_index("ix_notice_state_due", table_name="notice")
    op.drop_table("notice")
    op.drop_index("ix_subscription_category", table_name="subscription")
    op.drop_table("subscription")
