"""Tile version triggers for the resident counts per building (tiles.triggers): a changed count
refreshes the building layer's tiles around that building (source ``unit:5``)."""
from django.db import migrations

from tiles.triggers import version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("population", "0006_building_residents_index"),
        ("maptiles", "0002_no_fk_and_truncate_triggers"),
    ]

    operations = [version_triggers("population_buildingresidents", "unit:5", unit_column="building_id")]
