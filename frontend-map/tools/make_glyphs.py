"""Generate the SDF glyph ranges (MapLibre "glyphs" PBFs) that the map style needs, for a closed network.

Chinese characters are drawn by the browser itself (MapLibre ``localIdeographFontFamily``); the
style still needs PBF ranges for Latin letters, digits, punctuation and full-width forms (e.g. the
"（）" in unit names). This script renders them with @mapbox/tiny-sdf — the same SDF generator
MapLibre uses for local glyphs — inside Debian's Chromium (via Playwright), from the Noto Sans CJK
font of Debian's fonts-noto-cjk package, and writes the standard glyphs protobuf.

Run once after changing the ranges or the font; the output is committed under public/glyphs/:

    .venv/bin/python frontend-map/tools/make_glyphs.py
"""
from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
FRONTEND = HERE.parent
FONTSTACK = "Noto Sans Regular"
FONT_FAMILY = "Noto Sans CJK SC"
# 0-255 Basic Latin + Latin-1, 256-511 Latin Extended, 8192-8447 general punctuation,
# 12288-12543 CJK symbols/punctuation, 65280-65535 full-width forms.
RANGES = [0, 256, 8192, 12288, 65280]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

RENDER_JS = """
async ([start, family]) => {
  const sdf = new window.TinySDF({fontSize: 24, buffer: 3, radius: 8, cutoff: 0.25, fontFamily: family, fontWeight: '400'});
  const out = [];
  for (let id = start; id < start + 256; id++) {
    const g = sdf.draw(String.fromCharCode(id));
    out.push({id, w: g.glyphWidth, h: g.glyphHeight, left: g.glyphLeft, top: g.glyphTop, adv: g.glyphAdvance,
              data: g.glyphWidth > 0 ? Array.from(g.data) : []});
  }
  return out;
}
"""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint((number << 3) | 2) + _varint(len(payload)) + payload


def encode_range(name: str, start: int, glyphs: list[dict]) -> bytes:
    """glyphs.proto: glyphs{stacks: fontstack{name, range, glyphs: glyph{id, bitmap, w, h, left, top, advance}}}."""
    body = _field_bytes(1, name.encode()) + _field_bytes(2, f"{start}-{start + 255}".encode())
    for g in glyphs:
        msg = _field_varint(1, g["id"])
        if g["w"] > 0 and g["data"]:
            msg += _field_bytes(2, bytes(g["data"]))
        msg += _field_varint(3, max(0, g["w"])) + _field_varint(4, max(0, g["h"]))
        # MapLibre positions its own tiny-sdf glyphs with top - 27 (glyph_manager.ts): do the same.
        msg += _field_varint(5, _zigzag(int(g["left"]))) + _field_varint(6, _zigzag(int(g["top"]) - 27))
        msg += _field_varint(7, max(0, round(g["adv"])))
        body += _field_bytes(3, msg)
    return _field_bytes(1, body)


def main() -> None:
    tiny_sdf = (FRONTEND / "node_modules/@mapbox/tiny-sdf/index.js").read_text()
    script = tiny_sdf.replace("export default class TinySDF", "window.TinySDF = class TinySDF")
    out_dir = FRONTEND / "public" / "glyphs" / FONTSTACK
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=script)
        for start in RANGES:
            glyphs = page.evaluate(RENDER_JS, [start, FONT_FAMILY])
            data = encode_range(FONTSTACK, start, glyphs)
            (out_dir / f"{start}-{start + 255}.pbf").write_bytes(data)
            print(f"{start}-{start + 255}: {len(data)} bytes, {sum(1 for g in glyphs if g['w'] > 0)} glyphs")
        browser.close()
    (out_dir.parent / "README.json").write_text(json.dumps({"fontstack": FONTSTACK, "font": FONT_FAMILY, "ranges": RANGES}))


if __name__ == "__main__":
    main()
