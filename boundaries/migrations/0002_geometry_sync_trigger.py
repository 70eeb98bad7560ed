"""Keep geom_3857 (the tiles' indexed copy) and area_m2 in step with geom, for every writer.

Area is computed in the CGCS2000 3-degree Gauss-Krüger zone (CM variant, EPSG:4534-4554) whose
central meridian is nearest the geometry's centroid — the same rule as boundaries.crs.
"""
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION adminunits_gk_srid(g geometry) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 4534 + (LEAST(GREATEST(3 * round(ST_X(ST_Centroid(g)) / 3), 75), 135)::int - 75) / 3
$$;

CREATE OR REPLACE FUNCTION adminunits_sync_geometry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.geom IS NULL THEN
    NEW.geom_3857 := NULL;
    NEW.area_m2 := NULL;
  ELSIF TG_OP = 'INSERT' OR NOT ST_Equals(NEW.geom, OLD.geom) OR OLD.geom_3857 IS NULL THEN
    NEW.geom_3857 := ST_Multi(ST_Transform(NEW.geom, 3857));
    NEW.area_m2 := ST_Area(ST_Transform(NEW.geom, adminunits_gk_srid(NEW.geom)));
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER adminunits_sync_geometry
BEFORE INSERT OR UPDATE OF geom ON adminunits_adminunit
FOR EACH ROW EXECUTE FUNCTION adminunits_sync_geometry();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS adminunits_sync_geometry ON adminunits_adminunit;
DROP FUNCTION IF EXISTS adminunits_sync_geometry();
DROP FUNCTION IF EXISTS adminunits_gk_srid(geometry);
"""


class Migration(migrations.Migration):
    dependencies = [("adminunits", "0001_initial")]

    operations = [
        CreateExtension("postgis"),
        CreateExtension("pg_trgm"),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
