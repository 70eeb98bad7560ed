# The Celery application is loaded with Django, so that jobs started from a web request are sent
# through it (core.jobs).
from .celery import app as celery_app

__all__ = ["celery_app"]
