"""Two fixes to 0001.

* maptiles_generalisedunit had a foreign key to adminunits_adminunit: Django's ``flush`` (used by
  transactional tests) TRUNCATEs Django's tables without CASCADE and failed on it. The generalised copy
  is derived data, always joined back to its unit, so it needs no constraint.
* TRUNCATE fires no row/statement DELETE triggers: a TRUNCATE trigger now bumps the epoch and global
  rows of every source of the table, so no cached tile outlives a truncated table.
  ``maptiles_truncated(sources...)`` is also what tiles.triggers installs for modules' tables.
"""
from django.db import migrations

# Modules' tables get theirs from tiles.triggers.version_triggers in their own migrations.
SOURCES = {"adminunits_adminunit": ["unit:1", "unit:2", "unit:3", "unit:4", "unit:5"]}

FORWARD = """
ALTER TABLE maptiles_generalisedunit DROP CONSTRAINT IF EXISTS maptiles_generalisedunit_unit_id_fkey;

CREATE OR REPLACE FUNCTION maptiles_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE v bigint := nextval('maptiles_version_seq');
BEGIN
  INSERT INTO maptiles_tileversion (source, zc, cx, cy, version)
  SELECT s, zz.zc, 0, 0, v FROM unnest(TG_ARGV) AS s, (VALUES (-1::smallint), (0::smallint)) AS zz(zc)
  ON CONFLICT (source, zc, cx, cy) DO UPDATE SET version = EXCLUDED.version;
  RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER {t}_tiles_trunc AFTER TRUNCATE ON {t} FOR EACH STATEMENT "
    f"EXECUTE FUNCTION maptiles_truncated({', '.join(repr(s) for s in sources)});\n"
    for t, sources in SOURCES.items()
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_tiles_trunc ON {t};\n" for t in SOURCES) + (
    "DROP FUNCTION IF EXISTS maptiles_truncated();\n"
    "ALTER TABLE maptiles_generalisedunit ADD CONSTRAINT maptiles_generalisedunit_unit_id_fkey"
    " FOREIGN KEY (unit_id) REFERENCES adminunits_adminunit(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;\n"
)


class Migration(migrations.Migration):
    dependencies = [("maptiles", "0001_versions_and_generalisation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
