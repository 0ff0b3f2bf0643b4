"""intake: a petitioner without a chat gives an address and an e-mail; a reply given off chat

`casereporter.contact_address` and `contact_email` keep how a petitioner who came by phone,
letter, e-mail, walk-in or the website can be answered; `casefile.reply_channel` records how the
final reply was given to them (phone, letter, e-mail) when it was not sent in chat.

The columns are added in place (ALTER TABLE … ADD COLUMN): on SQLite a batch rebuild would drop
the tables, and their ON DELETE CASCADE would take the case's rows with them.

Revision ID: 0015_intake
Revises: 0014
Create Date: 2026-12-07 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_intake"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("casereporter", sa.Column("contact_address", sa.String(300), nullable=True))
    op.add_column("casereporter", sa.Column("contact_email", sa.String(254), nullable=True))
    op.add_column("casefile", sa.Column("reply_channel", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("casefile", "reply_channel")
    op.drop_column("casereporter", "contact_email")
    op.drop_column("casereporter", "contact_address")
