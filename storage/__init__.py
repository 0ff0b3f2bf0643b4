"""SQLModel tables, engine and sessions, Alembic migrations and query functions.

models/      the tables, one module per area (its own map)
db.py        engines, sessions and transactions (reads deferred on SQLite), migrations
queries/     query functions, one module per area (its own map)
seeds.py     the branch's units and the notice categories, written by the first migration
types.py     column types shared by every table
migrations/  Alembic's environment and revisions (not a package)
"""
