"""cases: `case import` in batches (the import table, and the import that wrote a case)

`casefile.import_id` is added in place (ALTER TABLE … ADD COLUMN … REFERENCES) rather than by
copying the table as a batch would on SQLite: dropping the old copy with foreign keys on would
delete every case's reporter, files and history by ON DELETE CASCADE.

Revision ID: 0006_cases
Revises: 0005
Create Date: 2026-12-01 21:46:02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006_cases"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "caseimport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("touched_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE casefile ADD COLUMN import_id INTEGER REFERENCES caseimport (id)")
    else:
        op.add_column("casefile", sa.Column("import_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "casefile_import_id_fkey", "casefile", "caseimport", ["import_id"], ["id"]
        )
    op.create_index("ix_casefile_import_id", "casefile", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_casefile_import_id", table_name="casefile")
    with op.batch_alter_table("casefile") as batch_op:
        batch_op.drop_column("import_id")
    op.drop_table("caseimport")
