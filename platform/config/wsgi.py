import os
import sys
from pathlib import Path

_root = str(Path(__file__).resolve().parents[2])
if _root not in sys.path:
    sys.path.insert(0, _root)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

_django = get_wsgi_application()  # sets Django up, so the lane's imports may follow

from tiles.lane import TileLane  # noqa: E402

# Vector tiles take the fast lane (tiles/lane.py); every other request is Django's.
application = TileLane(_django, watch=True)
