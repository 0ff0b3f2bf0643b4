"""notices by e-mail: subscribers, their categories and link tokens, requests to confirm, and
the e-mail rows of the outbox (a channel on the delivery row)

Revision ID: 0013_email
Revises: 0012
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0013_email"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
Aware = storage.types.AwareDateTime


def upgrade() -> None:
    op.create_table(
        "emailsubscriber",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", AutoString(length=254), nullable=False),
        sa.Column("language", AutoString(length=8), nullable=False),
        sa.Column("frequency", AutoString(length=16), nullable=False),
        sa.Column("confirmed_at", Aware(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("address"),
    )
    op.create_table(
        "emailsubscribercategory",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["emailsubscriber.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("subscriber_id", "category_id"),
    )
    op.create_index(
        "ix_emailsubscribercategory_category", "emailsubscribercategory", ["category_id"]
    )
    op.create_table(
        "emailtoken",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["subscriber_id"], ["emailsubscriber.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_emailtoken_subscriber_id", "emailtoken", ["subscriber_id"])
    op.create_table(
        "emailrequest",
        sa.Column("created_at", Aware(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", AutoString(length=254), nullable=False),
        sa.Column("category_ids", AutoString(length=1000), nullable=False),
        sa.Column("frequency", AutoString(length=16), nullable=False),
        sa.Column("language", AutoString(length=8), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=True),
        sa.Column("client_hash", AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_emailrequest_address", "emailrequest", ["address", "created_at"])
    op.create_index("ix_emailrequest_client", "emailrequest", ["client_hash", "created_at"])
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", AutoString(length=16), nullable=False, server_default="telegram")
        )
        batch_op.add_column(sa.Column("email_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("email_hash", AutoString(length=64), nullable=True))
        batch_op.create_foreign_key(
            "fk_delivery_email_id_emailsubscriber",
            "emailsubscriber",
            ["email_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_delivery_email_id", ["email_id"])
        batch_op.create_index("ix_delivery_channel_due", ["channel", "status", "next_attempt_at"])


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE channel = 'email'")
    op.execute("DELETE FROM notice WHERE kind = 'email_confirm'")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_channel_due")
        batch_op.drop_index("ix_delivery_email_id")
        batch_op.drop_constraint("fk_delivery_email_id_emailsubscriber", type_="foreignkey")
        batch_op.drop_column("email_hash")
        batch_op.drop_column("email_id")
        batch_op.drop_column("channel")
    op.drop_index("ix_emailrequest_client", table_name="emailrequest")
    op.drop_index("ix_emailrequest_address", table_name="emailrequest")
    op.drop_table("emailrequest")
    op.drop_index("ix_emailtoken_subscriber_id", table_name="emailtoken")
    op.drop_table("emailtoken")
    op.drop_index("ix_emailsubscribercategory_category", table_name="emailsubscribercategory")
    op.drop_table("emailsubscribercategory")
    op.drop_table("emailsubscriber")
