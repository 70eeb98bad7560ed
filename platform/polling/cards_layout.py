"""The voter-card sheet's fixed drawing: crop marks at the corners of the eight cards of an A4 sheet,
as one SVG the sheet uses as its background (drawn once, not per card)."""
from __future__ import annotations

import base64
from functools import cache

# The card grid in mm inside the 190 × 240 mm sheet area (must match voter_cards.html).
LEFTS = (6.0, 98.4)
TOPS = (4.0, 63.0, 122.0, 181.0)
WIDTH, HEIGHT = 85.6, 54.0
MARK = 3.0  # length of a crop mark, outside the card


@cache
def crop_marks_uri() -> str:
    lines = []
    for x in LEFTS:
        for y in TOPS:
            for cx in (x, x + WIDTH):
                for cy in (y, y + HEIGHT):
                    dx = -MARK if cx == x else MARK
                    dy = -MARK if cy == y else MARK
                    lines.append(f'<path d="M{cx + dx:.1f} {cy:.1f}H{cx:.1f}M{cx:.1f} {cy + dy:.1f}V{cy:.1f}"/>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="190mm" height="240mm" viewBox="0 0 190 240">'
           '<g stroke="#000" stroke-width="0.2" fill="none">' + "".join(lines) + "</g></svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
