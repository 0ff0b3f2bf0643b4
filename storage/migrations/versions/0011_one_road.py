"""one road: case news and reminders go through the outbox

A message of a text kind (case news, case, courtesy and self-assessment reminders) is a
`notice` row whose `ref_id` is an `outboxtext` (a catalogue key and its values, rendered in the
recipient's language when sent). A delivery row has a priority (case news and reminders before
a broadcast's copies) and, for a reminder, a unique `once_key`: never twice.

The claim tables of the old reminder road (`casereminder`, `courtesyreminder`,
`assessmentreminder`) go: every claim (a reminder sent, or being sent, before the upgrade) moves
into the outbox as a `sent` row with the same key, so no reminder is sent again after it.

Revision ID: 0011_one_road
Revises: 0010
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011_one_road"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite() -> bool:
    """SQLite keeps no length on a VARCHAR, so `notice.kind` needs no widening there; and
    widening it would recreate `notice`, whose DROP deletes every delivery row by their
    ON DELETE CASCADE (foreign keys are on): the proof of delivery would be lost."""
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "outboxtext",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("values", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["casefile.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outboxtext_case_id"), "outboxtext", ["case_id"], unique=False)
    if not _sqlite():
        with op.batch_alter_table("notice") as batch:
            batch.alter_column(
                "kind",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                type_=sqlmodel.sql.sqltypes.AutoString(length=32),
                existing_nullable=False,
                existing_server_default="notice",
            )
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("once_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True)
        )
        batch.create_unique_constraint("uq_delivery_once_key", ["once_key"])
        batch.create_index("ix_delivery_urgent", ["priority", "status"])
    _move_claims()
    op.drop_table("casereminder")
    op.drop_table("courtesyreminder")
    op.drop_table("assessmentreminder")


def _claims(bind: sa.Connection) -> list[tuple[str, str, int, object]]:
    """(kind, once key, chat id, sent at) of every claim of the old reminder tables."""
    aware = storage.types.AwareDateTime(timezone=True)
    case = sa.table("casereminder", sa.column("key", sa.String()), sa.column("sent_at", aware))
    assessment = sa.table(
        "assessmentreminder", sa.column("key", sa.String()), sa.column("sent_at", aware)
    )
    courtesy = sa.table(
        "courtesyreminder",
        sa.column("kind", sa.String()),
        sa.column("day", sa.Date()),
        sa.column("recipient", sa.BigInteger()),
        sa.column("sent_at", aware),
    )
    found: list[tuple[str, str, int, object]] = []
    for key, sent_at in bind.execute(sa.select(case.c.key, case.c.sent_at)):
        found.append(
            ("case_reminder", f"case_reminder:{key}", int(key.rsplit(":", 1)[1]), sent_at)
        )
    for key, sent_at in bind.execute(sa.select(assessment.c.key, assessment.c.sent_at)):
        once = f"assessment_reminder:{key}"
        found.append(("assessment_reminder", once, int(key.rsplit(":", 1)[1]), sent_at))
    for kind, day, recipient, sent_at in bind.execute(sa.select(courtesy)):
        once = f"courtesy_reminder:{kind}:{day.isoformat()}:{recipient}"
        found.append(("courtesy_reminder", once, int(recipient), sent_at))
    return found


def _move_claims() -> None:
    bind = op.get_bind()
    notice = sa.table(
        "notice",
        sa.column("id", sa.Integer()),
        sa.column("created_at", storage.types.AwareDateTime(timezone=True)),
        sa.column("title", sa.String()),
        sa.column("body", sa.String()),
        sa.column("state", sa.String()),
        sa.column("released_at", storage.types.AwareDateTime(timezone=True)),
        sa.column("recipients", sa.Integer()),
        sa.column("kind", sa.String()),
    )
    delivery = sa.table(
        "delivery",
        sa.column("notice_id", sa.Integer()),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("status", sa.String()),
        sa.column("attempts", sa.Integer()),
        sa.column("parts_sent", sa.Integer()),
        sa.column("next_attempt_at", storage.types.AwareDateTime(timezone=True)),
        sa.column("sent_at", storage.types.AwareDateTime(timezone=True)),
        sa.column("priority", sa.Integer()),
        sa.column("once_key", sa.String()),
    )
    for kind, once_key, chat_id, sent_at in _claims(bind):
        notice_id = bind.execute(
            notice.insert()
            .values(
                created_at=sent_at,
                title="reminder sent before the outbox carried reminders",
                body="",
                state="released",
                released_at=sent_at,
                recipients=1,
                kind=kind,
            )
            .returning(notice.c.id)
        ).scalar_one()
        bind.execute(
            delivery.insert().values(
                notice_id=notice_id,
                chat_id=chat_id,
                status="sent",
                attempts=1,
                parts_sent=1,
                next_attempt_at=sent_at,
                sent_at=sent_at,
                priority=0,
                once_key=once_key,
            )
        )


def downgrade() -> None:
    op.create_table(
        "casereminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column("sent_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "courtesyreminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recipient", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "day", "recipient"),
    )
    op.create_table(
        "assessmentreminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_urgent")
        batch.drop_constraint("uq_delivery_once_key", type_="unique")
        batch.drop_column("once_key")
        batch.drop_column("priority")
    if not _sqlite():
        with op.batch_alter_table("notice") as batch:
            batch.alter_column(
                "kind",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                type_=sqlmodel.sql.sqltypes.AutoString(length=16),
                existing_nullable=False,
                existing_server_default="notice",
            )
    op.drop_index(op.f("ix_outboxtext_case_id"), table_name="outboxtext")
    op.drop_table("outboxtext")
