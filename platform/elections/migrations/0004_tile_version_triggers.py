"""Tile version triggers for the elections (tiles.triggers): a stage change, a stop or a new roll count
refreshes the supervision layer's tiles around the community's outline at once."""
from django.db import migrations

from tiles.triggers import version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0003_voters_count"),
        ("maptiles", "0002_no_fk_and_truncate_triggers"),
    ]

    operations = [version_triggers("elections_election", "elections:election", unit_column="unit_id")]
