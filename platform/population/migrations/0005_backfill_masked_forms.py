"""Stored masked display forms of the ID number and phone (ids.mask_id / ids.mask_phone).

Lists and the building view read these columns and never decrypt. The backfill cannot be SQL
(the values are AES-GCM encrypted): it decrypts in batches of 20,000 in Python (keyset over the
primary key, one UPDATE ... FROM unnest() per batch, each batch committed on its own because the
migration is not atomic). It needs the same PII_ENCRYPTION_KEY as the data. Test databases take
milliseconds; a large database runs it once (2.2 M people: a few minutes, progress printed) and
an interrupted run resumes where it stopped (only rows with an empty id_masked are read).
"""
import sys
import time

from cryptography.exceptions import InvalidTag
from django.db import connection, migrations, transaction

BATCH = 20_000


def backfill(apps, schema_editor):
    # The live masking functions, on purpose: the stored form must equal what masking shows.
    from population import crypto, ids

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM population_person WHERE id_masked = ''")
        total = cur.fetchone()[0]
    if not total:
        return
    dec = crypto.decryptor()
    done, last, start = 0, 0, time.monotonic()
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT id, id_cipher, phone_cipher FROM population_person WHERE id > %s AND id_masked = ''"
                " ORDER BY id LIMIT %s", [last, BATCH])
            rows = cur.fetchall()
            if not rows:
                break
            pids = [r[0] for r in rows]
            try:
                id_m = [ids.mask_id(dec(r[1])) for r in rows]
                phone_m = [ids.mask_phone(dec(r[2])) for r in rows]
            except InvalidTag:
                raise RuntimeError(
                    "population 0005: PII_ENCRYPTION_KEY is not the key this database's personal data was "
                    "encrypted with. Run the migration with the original key."
                ) from None
            cur.execute(
                "UPDATE population_person p SET id_masked = v.i, phone_masked = v.ph"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, i, ph) WHERE p.id = v.id",
                [pids, id_m, phone_m])
        done, last = done + len(rows), pids[-1]
        if total > BATCH:
            sys.stdout.write(f"\n  masked forms: {done}/{total} ({time.monotonic() - start:.0f} s)")
            sys.stdout.flush()


class Migration(migrations.Migration):
    # Not atomic: each batch commits, so an interrupted backfill resumes and holds no long lock.
    atomic = False

    dependencies = [
        ('population', '0004_masked_forms'),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
