"""Tile versions kept by the database, and the coverage-simplified geometry for low zooms.

Why triggers: every writer (the ORM, the boundary save pipeline, bulk imports, raw SQL) changes
the same tables, so only the database sees every edit. Statement-level AFTER triggers with transition
tables bump, for each changed row, a version per "source" (``unit:<level>``, ``place:<kind>``) and per
cell of two coarse grids (z8, z12) plus a global cell (zc=0). A tile's version is the max over the
cells that contain it, so an edit refreshes only the tiles around it and everything else stays cached.
Versions come from one sequence, which is non-transactional: a version number is never reused.
"""
from django.db import migrations

FORWARD = r"""
CREATE SEQUENCE maptiles_version_seq;

CREATE TABLE maptiles_tileversion (
  source text NOT NULL,
  zc smallint NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (source, zc, cx, cy)
);

-- Coverage-simplified geometry of boundary levels, one row per unit and zoom band (tiles.generalise).
CREATE TABLE maptiles_generalisedunit (
  unit_id bigint NOT NULL REFERENCES adminunits_adminunit(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  level smallint NOT NULL,
  band smallint NOT NULL,
  geom_3857 geometry(MultiPolygon, 3857) NOT NULL,
  PRIMARY KEY (level, band, unit_id)
);
CREATE INDEX maptiles_generalisedunit_geom ON maptiles_generalisedunit USING gist (geom_3857);
CREATE INDEX maptiles_generalisedunit_unit ON maptiles_generalisedunit (unit_id);

CREATE TABLE maptiles_generalisation (
  level smallint PRIMARY KEY,
  source_version bigint NOT NULL,
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- The cells (global, z8, z12) a geometry touches, its bbox widened by the largest tile buffer
-- (64/4096 of a cell) so that features drawn in a neighbouring tile's buffer are covered too.
CREATE OR REPLACE FUNCTION maptiles_cells(g geometry) RETURNS TABLE (zc smallint, cx integer, cy integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 0::smallint, 0, 0
  UNION ALL
  SELECT zs.z::smallint, gx, gy
  FROM (VALUES (8), (12)) AS zs(z)
  CROSS JOIN LATERAL (SELECT 40075016.68557849 / (1 << zs.z) AS size) s
  CROSS JOIN LATERAL (SELECT s.size / 64.0 AS pad) p
  CROSS JOIN LATERAL generate_series(
      GREATEST(0, floor((ST_XMin(g) - p.pad + 20037508.342789244) / s.size))::int,
      LEAST((1 << zs.z) - 1, floor((ST_XMax(g) + p.pad + 20037508.342789244) / s.size))::int) AS gx
  CROSS JOIN LATERAL generate_series(
      GREATEST(0, floor((20037508.342789244 - ST_YMax(g) - p.pad) / s.size))::int,
      LEAST((1 << zs.z) - 1, floor((20037508.342789244 - ST_YMin(g) + p.pad) / s.size))::int) AS gy
  WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
$$;

"""


# Above this many rows in one statement (bulk loads), one "epoch" row per source (zc = -1) is bumped
# instead of every cell: every tile of that source goes stale, cheaply.
BULK_ROWS = 5000


def _bump_function(name: str, rows_by_op: dict[str, str]) -> str:
    """A statement-level trigger function. Transition tables are only visible in the trigger function
    itself (not in functions it calls), so the bump is written out in each branch."""
    branches = []
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


def _rows(select: str) -> dict[str, str]:
    """The (source, geometry) rows of a change, for INSERT / UPDATE (old and new) / DELETE."""
    return {
        "INSERT": select.format(t="maptiles_new"),
        "UPDATE": select.format(t="maptiles_new") + " UNION ALL " + select.format(t="maptiles_old"),
        "DELETE": select.format(t="maptiles_old"),
    }


def _triggers(table: str, func: str, arg: str = "") -> str:
    a = f"'{arg}'" if arg else ""
    return f"""
CREATE TRIGGER {table}_tiles_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS maptiles_new
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
CREATE TRIGGER {table}_tiles_upd AFTER UPDATE ON {table}
  REFERENCING NEW TABLE AS maptiles_new OLD TABLE AS maptiles_old
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
CREATE TRIGGER {table}_tiles_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS maptiles_old
  FOR EACH STATEMENT EXECUTE FUNCTION {func}({a});
"""


PLACE_TABLES = {
    "facility": "places_facility",
    "organisation": "places_socialorganisation",
    "resident_unit": "places_residentunit",
    "event": "places_communityevent",
}

FUNCTIONS = (
    _bump_function("maptiles_units_changed", _rows("SELECT 'unit:' || level, geom_3857 FROM {t}"))
    + _bump_function("maptiles_places_changed", _rows("SELECT 'place:' || TG_ARGV[0], geom_3857 FROM {t}"))
    # Resident counts (an aggregate kept by a trigger on people) change the building layer's attribute.
    + _bump_function(
        "maptiles_residents_changed",
        _rows("SELECT 'unit:5', b.geom_3857 FROM {t} AS x JOIN adminunits_adminunit AS b ON b.id = x.building_id"),
    )
)

TRIGGERS = (
    _triggers("adminunits_adminunit", "maptiles_units_changed")
    + "".join(_triggers(table, "maptiles_places_changed", kind) for kind, table in PLACE_TABLES.items())
    + _triggers("population_buildingresidents", "maptiles_residents_changed")
)

# Building tiles are the busiest: a partial GiST index holds only level-5 rows.
INDEXES = """
CREATE INDEX IF NOT EXISTS maptiles_adminunit_building_geom
  ON adminunits_adminunit USING gist (geom_3857) WHERE level = 5;
CREATE INDEX IF NOT EXISTS maptiles_adminunit_area_geom
  ON adminunits_adminunit USING gist (geom_3857) WHERE level < 5;
"""


def _drop_triggers(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS {table}_tiles_{op} ON {table};\n" for op in ("ins", "upd", "del"))


BACKWARD = (
    "".join(_drop_triggers(t) for t in ["adminunits_adminunit", *PLACE_TABLES.values(),
                                         "population_buildingresidents"])
    + """
DROP INDEX IF EXISTS maptiles_adminunit_building_geom;
DROP INDEX IF EXISTS maptiles_adminunit_area_geom;
DROP FUNCTION IF EXISTS maptiles_residents_changed();
DROP FUNCTION IF EXISTS maptiles_places_changed();
DROP FUNCTION IF EXISTS maptiles_units_changed();
DROP FUNCTION IF EXISTS maptiles_cells(geometry);
DROP TABLE IF EXISTS maptiles_generalisation;
DROP TABLE IF EXISTS maptiles_generalisedunit;
DROP TABLE IF EXISTS maptiles_tileversion;
DROP SEQUENCE IF EXISTS maptiles_version_seq;
"""
)


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("adminunits", "0002_geometry_sync_trigger"),
        ("places", "0002_point_sync_trigger"),
        ("population", "0002_building_resident_counts"),
    ]

    operations = [migrations.RunSQL(FORWARD + FUNCTIONS + TRIGGERS + INDEXES, BACKWARD)]
