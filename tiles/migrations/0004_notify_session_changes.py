"""NOTIFY maptiles_changed when sessions change too: the tile lane remembers a session's user
(tiles/lane.py), and a logout or a session flushed by a password change must end that at once."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("maptiles", "0003_notify_changes"), ("sessions", "0001_initial")]

    operations = [migrations.RunSQL(
        "CREATE TRIGGER django_session_maptiles_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        " ON django_session FOR EACH STATEMENT EXECUTE FUNCTION maptiles_notify();",
        "DROP TRIGGER IF EXISTS django_session_maptiles_notify ON django_session;",
    )]
