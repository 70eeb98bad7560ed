"""Fill the tile cache for a unit's area and a zoom range, with progress.

Tiles are rendered for the scope of the unit's own users (its path) and, for public layers, for
anonymous visitors, i.e. the keys real requests will look up.
"""
from __future__ import annotations

import math
import sys
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from boundaries.models import AdminUnit
from tiles import cache, mvt, serve, versions
from tiles.layers import CombinedLayer, VectorLayer, get_layer, vector_layers


def _tiles_for(bounds: tuple[float, float, float, float], z: int) -> Iterator[tuple[int, int]]:
    minx, miny, maxx, maxy = bounds
    n = 1 << z

    def tx(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def ty(lat: float) -> int:
        lat = max(min(lat, 85.0511), -85.0511)
        return min(n - 1, max(0, int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)))

    for x in range(tx(minx), tx(maxx) + 1):
        for y in range(ty(maxy), ty(miny) + 1):
            yield x, y


class Command(BaseCommand):
    help = "Seed the tile cache: seed_tiles --unit CODE --zooms 10-15 [--layers building,community]"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code whose extent (and users' scope) to seed")
        parser.add_argument("--zooms", default="10-15", help="zoom range, e.g. 10-15")
        parser.add_argument("--layers", default="", help="comma-separated layers (default: all vector layers)")

    def handle(self, *args: Any, unit: str, zooms: str, layers: str, **kw: Any) -> None:
        root = AdminUnit.objects.filter(code=unit).first()
        if root is None or root.geom is None:
            raise CommandError(f"没有编码为 {unit} 且有边界的单元。")
        try:
            z0, z1 = (int(v) for v in zooms.split("-")) if "-" in zooms else (int(zooms), int(zooms))
        except ValueError:
            raise CommandError("--zooms 应写成 10-15。") from None
        names = [n for n in layers.split(",") if n] or list(vector_layers())
        decls = []
        for name in names:
            if (decl := get_layer(name)) is None:
                raise CommandError(f"未知图层：{name}")
            decls.append(decl)
        from django.conf import settings

        if "locmem" in str(settings.CACHES["default"]["BACKEND"]).lower():
            self.stderr.write("注意：未设置 REDIS_URL，缓存只在本进程内，预热对 Web 进程无效。")
        bounds = root.geom.extent
        plan = [(z, x, y) for z in range(z0, z1 + 1) for x, y in _tiles_for(bounds, z)]
        scopes = [(root.path, "p:" + root.path, False), ("", "anon", True)]
        unit_user = get_user_model()(unit=root)  # stands in for the unit's staff (never saved)
        total = len(plan) * len(decls)
        done = rendered = 0
        t0 = time.monotonic()
        for decl in decls:
            for prefix, scope_key, anonymous in scopes:
                if anonymous and not decl.public:
                    continue
                parts: list[VectorLayer] = (decl.parts_for(None if anonymous else unit_user)
                                            if isinstance(decl, CombinedLayer) else [decl])
                sources = decl.sources
                for z, x, y in plan:
                    version = versions.tile_version(sources, z, x, y)
                    reader = None if anonymous else unit_user
                    key = serve.vector_key(decl, parts, version, scope_key, reader, z, x, y)
                    if cache.get(key) is None:
                        data = mvt.render(decl, parts, z, x, y, prefix, reader)
                        cache.put(key, cache.compress(data))
                        rendered += 1
                    if not anonymous:
                        done += 1
                        if done % 50 == 0 or done == total:
                            rate = done / max(time.monotonic() - t0, 1e-6)
                            sys.stdout.write(f"\r{done}/{total} tiles ({100 * done // total}%) {rate:.0f}/s  ")
                            sys.stdout.flush()
        self.stdout.write(f"\nseeded {total} tiles ({rendered} rendered, rest already cached) "
                          f"in {time.monotonic() - t0:.1f}s")

