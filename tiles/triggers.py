"""Version triggers for a module's table: the migration helper behind "edits invalidate tiles".

Why triggers: every writer (the ORM, bulk loads, raw SQL) changes the same tables, so only the
database sees every edit. Statement-level AFTER triggers with transition tables bump, for each changed
row, the version of its layer's source in every cell of two coarse grids (z8, z12) its geometry
touches, plus a global cell (tiles/versions.py reads them). Statements touching more than ``BULK_ROWS``
rows bump one per-source "epoch" row instead; TRUNCATE bumps the epoch too.

A module installs them for its own table in its own migration::

    from tiles.triggers import version_triggers

    class Migration(migrations.Migration):
        dependencies = [("mymodule", "0001_initial"), ("maptiles", "0002_no_fk_and_truncate_triggers")]
        operations = [version_triggers("mymodule_thing", "mymodule:thing")]

``geometry`` names the row's EPSG:3857 column; a table without one names the unit it belongs to with
``unit_column`` and the unit's outline is used. The generated SQL is a pure function of the
arguments, so a migration stays what it was when it was applied.
"""
from __future__ import annotations

from django.db import migrations

# Above this many rows in one statement (bulk loads), one "epoch" row per source (zc = -1) is bumped
# instead of every cell: every tile of that source goes stale, cheaply.
BULK_ROWS = 5000
UNIT_TABLE = "adminunits_adminunit"


def bump_function(name: str, rows_by_op: dict[str, str]) -> str:
    """A statement-level trigger function. Transition tables are only visible in the trigger function
    itself (not in functions it calls), so the bump is written out in each branch."""
    branches: list[str] = []
    for op, rows in rows_by_op.items():
        branches.append(f"""
  {"IF" if not branches else "ELSIF"} TG_OP = '{op}' THEN
    SELECT count(*) INTO n FROM ({rows}) AS r;
    IF n > {BULK_ROWS} THEN
      INSERT INTO maptiles_tileversion (source, zc, cx, cy, version)
      SELECT DISTINCT r.source, zz.zc, 0, 0, v FROM ({rows}) AS r(source, g),
             (VALUES (-1::smallint), (0::smallint)) AS zz(zc)
      ON CONFLICT (source, zc, cx, cy) DO UPDATE SET version = EXCLUDED.version;
    ELSIF n > 0 THEN
      INSERT INTO maptiles_tileversion (source, zc, cx, cy, version)
      SELECT DISTINCT r.source, c.zc, c.cx, c.cy, v
      FROM ({rows}) AS r(source, g) CROSS JOIN LATERAL maptiles_cells(r.g) AS c
      ON CONFLICT (source, zc, cx, cy) DO UPDATE SET version = EXCLUDED.version;
    END IF;""")
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v bigint := nextval('maptiles_version_seq');
  n bigint;
BEGIN{"".join(branches)}
  END IF;
  RETURN NULL;
END $$;
"""


def changed_rows(select: str) -> dict[str, str]:
    """The (source, geometry) rows of a change, for INSERT / UPDATE (old and new) / DELETE;
    ``{t}`` in ``select`` stands for the transition table."""
    return {
        "INSERT": select.format(t="maptiles_new"),
        "UPDATE": select.format(t="maptiles_new") + " UNION ALL " + select.format(t="maptiles_old"),
        "DELETE": select.format(t="maptiles_old"),
    }


def row_triggers(table: str, func: str, arg: str = "") -> str:
    """The three statement triggers (CREATE OR REPLACE: a table whose triggers an older migration
    installed under the same names simply gets the new ones)."""
    a = f"'{arg}'" if arg else ""
    return f"""
CREATE OR REPLACE TRIGGER {table}_tiles_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS maptiles_new
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
CREATE OR REPLACE TRIGGER {table}_tiles_upd AFTER UPDATE ON {table}
  REFERENCING NEW TABLE AS maptiles_new OLD TABLE AS maptiles_old
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
CREATE OR REPLACE TRIGGER {table}_tiles_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS maptiles_old
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
"""


def truncate_trigger(table: str, sources: tuple[str, ...]) -> str:
    """TRUNCATE fires no DELETE trigger: bump the epoch and global rows of the table's sources."""
    args = ", ".join("'" + s.replace("'", "''") + "'" for s in sources)
    return (f"CREATE OR REPLACE TRIGGER {table}_tiles_trunc AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION maptiles_truncated({args});\n")


def drop_triggers(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS {table}_tiles_{op} ON {table};\n" for op in ("ins", "upd", "del", "trunc"))


def version_triggers(table: str, source: str, *, geometry: str = "geom_3857",
                     unit_column: str | None = None) -> migrations.RunSQL:
    """The migration operation installing ``table``'s version triggers for layer source ``source``.

    ``geometry``: the row's EPSG:3857 column; with ``unit_column`` (a foreign key to the unit table),
    the geometry column of that unit instead (a status per village, a count per building)."""
    literal = "'" + source.replace("'", "''") + "'"
    if unit_column is None:
        select = f"SELECT {literal}, x.{geometry} FROM {{t}} AS x"
    else:
        select = (f"SELECT {literal}, g.{geometry} FROM {{t}} AS x"
                  f" JOIN {UNIT_TABLE} AS g ON g.id = x.{unit_column}")
    func = f"maptiles_bump_{table}"
    forward = bump_function(func, changed_rows(select)) + row_triggers(table, func) + truncate_trigger(table, (source,))
    backward = drop_triggers(table) + f"DROP FUNCTION IF EXISTS {func}();\n"
    return migrations.RunSQL(forward, backward)
