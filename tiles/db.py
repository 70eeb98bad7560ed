"""The tile path's queries: fixed statements, run as server-side prepared statements.

Django's psycopg backend binds parameters on the client, so PostgreSQL parses and plans every query
anew; for the tile path's few fixed statements that costs as much as running them (~0.15 ms for the
token+version lookup, measured with scripts/bench/tiles_breakdown.py). psycopg prepares a statement
on the connection the first time and reuses it; PostgreSQL replans it when a table it reads changes.
The cursor is opened on Django's own connection (same transaction, same session settings), inside
Django's error wrapper so failures surface as django.db errors, as for any other query.

Behind a pooler in transaction mode (PgBouncer < 1.21) prepared statements do not survive between
transactions: set TILE_PREPARED_STATEMENTS=false there.
"""
from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.db import connection


def fetchone(sql: str, params: Any, *, binary: bool = False) -> tuple | None:
    """``binary``: results in PostgreSQL's binary format (a tile's bytea arrives as is, not as hex)."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        cur.execute(sql, params, prepare=settings.TILE_PREPARED_STATEMENTS, binary=binary)
        return cur.fetchone()
