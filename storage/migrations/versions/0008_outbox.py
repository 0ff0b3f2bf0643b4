"""outbox: a notice row has a kind and a reference, so features send through the same outbox

Certificate reminders and survey invitations are composed by their feature from `ref_id`
instead of a title and body; every row written so far is a plain notice.

Revision ID: 0008_outbox
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_outbox"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="notice",
            )
        )
        batch.add_column(sa.Column("ref_id", sa.Integer(), nullable=True))
        batch.create_index("ix_notice_kind_ref", ["kind", "ref_id"])


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_index("ix_notice_kind_ref")
        batch.drop_column("ref_id")
        batch.drop_column("kind")
