"""Keep population_buildingresidents in step with people's houses, for every writer.

Statement-level AFTER triggers with transition tables: one aggregate statement per INSERT/UPDATE/
DELETE statement (or COPY), so a 100,000-row bulk insert costs one grouped upsert, not 100,000.
The delta is +1 for each new row's house and -1 for each old row's house, grouped by building.
"""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION population_building_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO population_buildingresidents AS b (building_id, residents)
    SELECT h.building_id, count(*) FROM new_rows n JOIN adminunits_house h ON h.id = n.house_id
    GROUP BY h.building_id
    ON CONFLICT (building_id) DO UPDATE SET residents = b.residents + EXCLUDED.residents;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE population_buildingresidents b SET residents = b.residents - d.n
    FROM (SELECT h.building_id, count(*) AS n FROM old_rows o JOIN adminunits_house h ON h.id = o.house_id
          GROUP BY h.building_id) d
    WHERE b.building_id = d.building_id;
  ELSE
    INSERT INTO population_buildingresidents AS b (building_id, residents)
    SELECT h.building_id, sum(d.n) FROM (
        SELECT house_id, 1 AS n FROM new_rows WHERE house_id IS NOT NULL
        UNION ALL
        SELECT house_id, -1 AS n FROM old_rows WHERE house_id IS NOT NULL
    ) d JOIN adminunits_house h ON h.id = d.house_id
    GROUP BY h.building_id HAVING sum(d.n) <> 0
    ON CONFLICT (building_id) DO UPDATE SET residents = b.residents + EXCLUDED.residents;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER population_person_counts_ins AFTER INSERT ON population_person
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_building_counts();
CREATE TRIGGER population_person_counts_upd AFTER UPDATE ON population_person
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_building_counts();
CREATE TRIGGER population_person_counts_del AFTER DELETE ON population_person
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION population_building_counts();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS population_person_counts_ins ON population_person;
DROP TRIGGER IF EXISTS population_person_counts_upd ON population_person;
DROP TRIGGER IF EXISTS population_person_counts_del ON population_person;
DROP FUNCTION IF EXISTS population_building_counts();
"""


class Migration(migrations.Migration):
    dependencies = [("population", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
