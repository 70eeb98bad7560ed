"""Keep geom_3857 (the tiles' indexed copy) in step with geom for every writer (ORM, SQL, bulk)."""
from django.db import migrations

TABLES = ["places_facility", "places_socialorganisation", "places_residentunit", "places_communityevent"]

FORWARD = """
CREATE OR REPLACE FUNCTION places_sync_point() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.geom_3857 := CASE WHEN NEW.geom IS NULL THEN NULL ELSE ST_Transform(NEW.geom, 3857) END;
  RETURN NEW;
END $$;
""" + "".join(
    f"CREATE TRIGGER {t}_sync_point BEFORE INSERT OR UPDATE OF geom ON {t} "
    f"FOR EACH ROW EXECUTE FUNCTION places_sync_point();\n"
    for t in TABLES
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_sync_point ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS places_sync_point();"
)


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
