"""A production configuration passes ``manage.py check --deploy``, and a careless one does not."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from the test session (e.g. DJANGO_ALLOW_ASYNC_UNSAFE, set for the
    # browser tests, is itself a deploy-check error) leaks into the production configuration.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "DATABASE_URL") if k in os.environ}
    env.update({
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "gov.example.cn",
        "PII_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        **extra,
    })
    return subprocess.run(
        [sys.executable, str(ROOT / "platform" / "manage.py"), "check", "--deploy", *args],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
}


def test_production_settings_pass_check_deploy() -> None:
    # Security checks: not even a warning. Everything else (the API schema included): no error.
    security = run_check(PRODUCTION, "--tag", "security", "--fail-level", "WARNING")
    assert security.returncode == 0, security.stdout + security.stderr
    assert "no issues" in security.stdout
    everything = run_check(PRODUCTION)
    assert everything.returncode == 0, everything.stdout + everything.stderr


def test_debug_and_a_weak_key_fail_check_deploy() -> None:
    result = run_check({**PRODUCTION, "DEBUG": "true", "SECRET_KEY": "short"}, "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on
    assert "security.W009" in result.stderr + result.stdout  # weak SECRET_KEY


def test_production_refuses_to_start_without_secrets() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_check(env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
