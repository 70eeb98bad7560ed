"""The Celery application: background jobs (core.jobs) on the platform's Redis.

Settings come from Django's (``CELERY_*`` in config/settings.py). A worker runs with
``celery -A config worker`` from platform/ (scripts/run starts one; docs/operations.md).
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The one task that runs every job kind (core.jobs.runner); job kinds are found in each app's jobs.py.
app.autodiscover_tasks(["core.jobs"], related_name="runner")
