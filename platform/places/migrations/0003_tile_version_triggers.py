"""Tile version triggers for the places tables (tiles.triggers): an edit of a point refreshes the
tiles of its layer around it, whoever writes it."""
from django.db import migrations

from tiles.triggers import version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_point_sync_trigger"),
        ("maptiles", "0002_no_fk_and_truncate_triggers"),
    ]

    operations = [
        version_triggers("places_facility", "place:facility"),
        version_triggers("places_socialorganisation", "place:organisation"),
        version_triggers("places_residentunit", "place:resident_unit"),
        version_triggers("places_communityevent", "place:event"),
    ]
