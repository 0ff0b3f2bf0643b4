"""duties: recurring duties with their occurrences and evidence, training sessions, the
yearly training target

`duty` (seeded with the plan's duties, owned by the secretariat, starting on the day of the
migration), `dutyoccurrence` (a row per
duty and nominal date, unique), `dutyevidence`, `trainingsession`, and `yeartarget.training`
(added in place: ALTER TABLE … ADD COLUMN).

Revision ID: 0017_duties
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from kernel.clock import utcnow
from storage.seeds import DUTIES
from storage.types import AwareDateTime

revision: str = "0017_duties"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duty",
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_zh", sa.String(120), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("every", sa.String(16), nullable=False),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("dates", sa.String(200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("facility", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dutyoccurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("nominal_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", sa.String(128), nullable=True),
        sa.Column("done_by_person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_at", AwareDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["duty_id"], ["duty.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["done_by_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("duty_id", "nominal_on"),
    )
    op.create_index("ix_dutyoccurrence_duty_id", "dutyoccurrence", ["duty_id"])
    op.create_index("ix_dutyoccurrence_due_on", "dutyoccurrence", ["due_on"])
    op.create_table(
        "dutyevidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(256), nullable=True),
        sa.Column("path", sa.String(512), nullable=True),
        sa.Column("file_name", sa.String(256), nullable=True),
        sa.ForeignKeyConstraint(["occurrence_id"], ["dutyoccurrence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dutyevidence_occurrence_id", "dutyevidence", ["occurrence_id"])
    op.create_table(
        "trainingsession",
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(8), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trainingsession_held_on", "trainingsession", ["held_on"])
    op.add_column("yeartarget", sa.Column("training", sa.Integer(), nullable=True))

    units = dict(op.get_bind().execute(sa.text("SELECT code, id FROM unit")).all())
    duty = sa.table(
        "duty",
        sa.column("created_at", AwareDateTime()),
        sa.column("title_zh", sa.String),
        sa.column("title_en", sa.String),
        sa.column("unit_id", sa.Integer),
        sa.column("every", sa.String),
        sa.column("day", sa.Integer),
        sa.column("month", sa.Integer),
        sa.column("dates", sa.String),
        sa.column("starts_on", sa.Date),
        sa.column("facility", sa.Boolean),
        sa.column("active", sa.Boolean),
    )
    at = utcnow()
    starts_on = at.astimezone(ZoneInfo("Asia/Taipei")).date()
    op.bulk_insert(
        duty,
        [
            {
                "created_at": at,
                "title_zh": zh,
                "title_en": en,
                "unit_id": units[unit],
                "every": every,
                "day": day,
                "month": month,
                "dates": dates,
                "starts_on": starts_on,
                "facility": facility,
                "active": True,
            }
            for zh, en, unit, every, day, month, dates, facility in DUTIES
            if unit in units
        ],
    )


def downgrade() -> None:
    op.drop_column("yeartarget", "training")
    op.drop_index("ix_trainingsession_held_on", "trainingsession")
    op.drop_table("trainingsession")
    op.drop_index("ix_dutyevidence_occurrence_id", "dutyevidence")
    op.drop_table("dutyevidence")
    op.drop_index("ix_dutyoccurrence_due_on", "dutyoccurrence")
    op.drop_index("ix_dutyoccurrence_duty_id", "dutyoccurrence")
    op.drop_table("dutyoccurrence")
    op.drop_table("duty")
