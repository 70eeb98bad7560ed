"""The geometry trigger compared old and new boundaries with ST_Equals, which is topological and
throws on an invalid geometry (a legacy import, a bulk load). Compare exactly instead: any change
of the stored geometry (even a vertex added by noding) refreshes the 3857 copy and the area.
"""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION adminunits_sync_geometry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.geom IS NULL THEN
    NEW.geom_3857 := NULL;
    NEW.area_m2 := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.geom IS NULL OR OLD.geom_3857 IS NULL
        OR ST_AsBinary(NEW.geom) IS DISTINCT FROM ST_AsBinary(OLD.geom) THEN
    NEW.geom_3857 := ST_Multi(ST_Transform(NEW.geom, 3857));
    NEW.area_m2 := ST_Area(ST_Transform(NEW.geom, adminunits_gk_srid(NEW.geom)));
  END IF;
  RETURN NEW;
END $$;
"""

BACKWARD = """
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
"""


class Migration(migrations.Migration):
    dependencies = [("adminunits", "0003_boundary_version")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
