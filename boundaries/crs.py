"""Coordinate reference systems used by the platform.

Storage is CGCS2000 geographic (EPSG:4490). Areas and lengths are computed in the CGCS2000
3-degree Gauss-Krüger zone (central-meridian variant, EPSG:4534-4554) covering the geometry.
"""
from __future__ import annotations

STORAGE_SRID = 4490
WEB_MERCATOR_SRID = 3857


def gauss_kruger_srid(longitude: float) -> int:
    """EPSG code of the CGCS2000 3-degree GK zone (CM variant) whose central meridian is nearest.

    EPSG:4534 is CM 75°E and each following code moves 3°, so CM 105°E is 4544, CM 108°E is 4545.
    """
    central_meridian = 3 * round(longitude / 3)
    central_meridian = min(max(central_meridian, 75), 135)
    return 4534 + (central_meridian - 75) // 3
