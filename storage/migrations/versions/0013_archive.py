"""archive: a notice to categories is on the public pages unless its author said not

`notice.public` marks a notice for the public archive (`/notices/`, the Atom feeds). Notices
already sent to categories become public; a notice sent to a list of 統一編號 (with or without
categories), a reminder, a survey invitation and case news stay private.

The column is added in place (ALTER TABLE … ADD COLUMN): on SQLite a batch rebuild of `notice`
would drop the table, and its ON DELETE CASCADE would take every delivery row with it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "notice", sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index("ix_notice_public_released", "notice", ["public", "released_at"])
    op.execute(
        sa.text(
            "UPDATE notice SET public = :yes WHERE kind = 'notice'"
            " AND id IN (SELECT notice_id FROM noticecategory)"
            " AND id NOT IN (SELECT notice_id FROM noticetaxid)"
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    op.drop_index("ix_notice_public_released", table_name="notice")
    op.execute("ALTER TABLE notice DROP COLUMN public")
