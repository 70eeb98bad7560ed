"""Stored masked ID numbers keep the region and the last two characters (ids.mask_id), not the last
four: with the last four, a birth date known to within a year leaves a few dozen candidates
(docs/privacy.md). The new form is cut from the old one, so nothing is decrypted."""
from django.db import migrations

SQL = """
UPDATE population_person
   SET id_masked = left(id_masked, 6) || repeat('*', 10) || right(id_masked, 2)
 WHERE length(id_masked) = 18 AND substr(id_masked, 7, 10) <> repeat('*', 10)
"""


class Migration(migrations.Migration):
    dependencies = [("population", "0007_tile_version_triggers")]

    # One way: the last four cannot be cut back out of the shorter form (a re-save restores them).
    operations = [migrations.RunSQL(SQL, reverse_sql=migrations.RunSQL.noop)]
