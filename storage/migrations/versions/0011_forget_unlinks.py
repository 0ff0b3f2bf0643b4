"""forget unlinks: after /forget a survey's or case question's delivery row keeps a keyed hash
of the chat id instead of the chat id, keyed by a secret this install makes here

Revision ID: 0011_forget_unlinks
Revises: 0010
Create Date: 2026-12-07 05:20:00
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types  # noqa: F401

revision: str = "0011_forget_unlinks"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "installsecret",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    key = secrets.token_hex(32)
    op.bulk_insert(table, [{"name": "chat_hash", "value": key, "created_at": datetime.now(UTC)}])
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chat_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
    # People forgotten before this revision: their survey and case-question rows lost the
    # person and no person holds the chat any more; those rows keep only the hash too.
    bind = op.get_bind()
    gone = bind.execute(
        sa.text(
            "SELECT DISTINCT d.chat_id FROM delivery d JOIN notice n ON n.id = d.notice_id"
            " WHERE n.kind IN ('survey', 'case_survey') AND d.person_id IS NULL"
            " AND d.chat_id IS NOT NULL"
            " AND d.chat_id NOT IN (SELECT telegram_id FROM person)"
        )
    ).all()
    for (chat_id,) in gone:
        digest = hmac.new(bytes.fromhex(key), str(chat_id).encode(), hashlib.sha256).hexdigest()
        bind.execute(
            sa.text(
                "UPDATE delivery SET chat_id = NULL, chat_hash = :digest WHERE chat_id = :chat"
                " AND notice_id IN (SELECT id FROM notice"
                " WHERE kind IN ('survey', 'case_survey'))"
            ),
            {"digest": digest, "chat": chat_id},
        )


def downgrade() -> None:
    # A forgotten chat's rows get a number no private chat has (negative, unique per row).
    op.execute("UPDATE delivery SET chat_id = -id WHERE chat_id IS NULL")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("chat_hash")
    op.drop_table("installsecret")
