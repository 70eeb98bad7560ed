"""NOTIFY maptiles_changed when tile versions or accounts change (tiles/watch.py).

Statement-level triggers on the version table (every bump, from every writer, goes through it) and on
the tables a token user's scope is read from (tokens, users). PostgreSQL delivers the notification at
commit and folds repeats within one transaction into one.
"""
from django.db import migrations

TABLES = ("maptiles_tileversion", "authtoken_token", "accounts_user")

FORWARD = """
CREATE OR REPLACE FUNCTION maptiles_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('maptiles_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER {t}_maptiles_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t}"
    " FOR EACH STATEMENT EXECUTE FUNCTION maptiles_notify();\n"
    for t in TABLES
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_maptiles_notify ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS maptiles_notify();\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("maptiles", "0002_no_fk_and_truncate_triggers"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
