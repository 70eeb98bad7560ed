"""Tile version triggers for the villages' cadence status (tiles.triggers): a village that turns
overdue, or catches up, refreshes the cadence layer's tiles around its outline."""
from django.db import migrations

from tiles.triggers import version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0002_cadence_status"),
        ("maptiles", "0002_no_fk_and_truncate_triggers"),
    ]

    operations = [version_triggers("publication_cadencestatus", "publication:cadence", unit_column="unit_id")]
