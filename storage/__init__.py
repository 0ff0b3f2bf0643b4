"""SQLModel tables, engine and sessions, Alembic migrations and query functions."""
