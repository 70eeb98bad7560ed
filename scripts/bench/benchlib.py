"""What the benchmark scripts share: the project on sys.path with bench settings, a log line, the
result file in var/bench/, and a database of their own (created if missing, migrated, the tiny demo
loaded). Imported by the scripts of this folder (run as scripts, this folder is on sys.path)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-pii-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
OUT = ROOT / "var" / "bench"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def save(name: str, data: dict[str, Any]) -> None:
    """``var/bench/<name>.json``, and the same on stdout."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def prepare(db: str, *, population: bool = True) -> None:
    """Point DATABASE_URL at database ``db`` (beside the configured one), creating it if missing,
    then migrate and load the tiny demo (with or without its population) unless it is there."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgis://smartcommunity:smartcommunity@127.0.0.1:5432/smartcommunity")
    admin = base.replace("postgis://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            c.execute(f'CREATE DATABASE "{db}"')
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + db
    manage = [sys.executable, str(ROOT / "platform" / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], check=True)
    subprocess.run([*manage, "load_demo", "--scale", "tiny", "--if-empty", *([] if population else ["--no-population"])],
                   check=True)
