from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tiles import dem


class Command(BaseCommand):
    help = "Write the deterministic demo DEM of Yubei (GeoTIFF, EPSG:4490) used by terrain/hillshade tiles."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=dem.DEFAULT_SEED)
        parser.add_argument("--if-missing", action="store_true")

    def handle(self, *args: Any, seed: int, if_missing: bool, **kw: Any) -> None:
        path = dem.dem_path()
        if if_missing and path.exists():
            self.stdout.write(f"DEM present: {path}")
            return
        dem.write_dem(path, seed=seed)
        self.stdout.write(f"DEM written: {path}")
