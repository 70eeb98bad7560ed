"""Front-end benchmark: page load → first full render, bundle sizes, FPS while panning in 3D.

Runs the real stack on localhost: scripts/serve (granian) serving Django (WhiteNoise static files, tiles from
PostGIS) over the database in DATABASE_URL (load a demo first: `manage.py load_demo --scale full`),
driven by Debian's headless Chromium through Playwright. WebGL runs on SwiftShader (software), so
the FPS figure is a floor: a desktop GPU does much better.

    DATABASE_URL=postgis://... .venv/bin/python scripts/bench/frontend.py [--user yubei_admin] [--runs 3]

Prints a Markdown table (copied into docs/frontend.md).
"""
from __future__ import annotations

import argparse
import gzip
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend-map" / "dist"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--enable-unsafe-swiftshader", "--use-gl=angle", "--use-angle=swiftshader",
]
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo2026!yb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bundle_sizes() -> list[tuple[str, int, int]]:
    out = []
    for f in sorted((DIST / "assets").iterdir()):
        data = f.read_bytes()
        out.append((f.name, len(data), len(gzip.compress(data, 6))))
    return out


def densest_building_area(env: dict[str, str]) -> tuple[float, float]:
    """Centre of the neighbourhood with the most buildings (where 3D panning is heaviest)."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "c.execute(\"SELECT ST_X(ST_Centroid(n.geom)), ST_Y(ST_Centroid(n.geom)) FROM adminunits_adminunit n "
        "JOIN adminunits_adminunit b ON b.parent_id = n.id AND b.level = 5 GROUP BY n.id ORDER BY count(*) DESC LIMIT 1\")\n"
        "print(*c.fetchone())\n"
    )
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    x, y = res.stdout.split()
    return float(x), float(y)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="yubei_admin", help="account whose unit is fitted on load (default: the district)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pan-seconds", type=float, default=6.0)
    args = ap.parse_args()
    if not (DIST / "index.html").exists():
        sys.exit("frontend-map/dist missing: cd frontend-map && npm ci && npm run build")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", "bench-secret")
    env.setdefault("PII_ENCRYPTION_KEY", "bench-pii")
    env["DEBUG"] = "false"
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    py = sys.executable
    subprocess.run([py, str(ROOT / "platform/manage.py"), "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "serve")], env={**env, "PORT": str(port), "ACCESS_LOG": "0",
                                                "SERVER_LOG_LEVEL": "warning"},
        cwd=ROOT / "platform", start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        loads: list[float] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            page.goto(f"{base}/accounts/login/?next=/accounts/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_load_state("networkidle")
            for i in range(args.runs):
                if i == 0:
                    page.goto("about:blank")
                page.goto(f"{base}/map/")
                page.wait_for_function("window.__mapReady === true", timeout=180_000)
                loads.append(page.evaluate("performance.now()") / 1000)
            x, y = densest_building_area(env)
            page.evaluate("([x, y]) => window.__map.jumpTo({center: [x, y], zoom: 16.5})", [x, y])
            settle(page)
            fps_2d = pan_fps(page, args.pan_seconds)
            page.evaluate("([x, y]) => window.__map.jumpTo({center: [x, y], zoom: 16.5})", [x, y])
            page.click("#btn-3d")
            page.wait_for_timeout(1000)
            settle(page)
            fps = pan_fps(page, args.pan_seconds)
            buildings = page.evaluate("window.__map.queryRenderedFeatures({layers: ['building-extrusion']}).length")
            page.evaluate("([x, y]) => { window.__map.setTerrain(null); window.__map.jumpTo({center: [x, y]}); }", [x, y])
            settle(page)
            fps_flat3d = pan_fps(page, args.pan_seconds)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)

    print("| measure | value |\n|---|---|")
    print(f"| page load → first full render ({args.user}), cold | {loads[0]:.2f} s |")
    if len(loads) > 1:
        print(f"| page load → first full render, warm (median of {len(loads) - 1}) | {sorted(loads[1:])[len(loads[1:]) // 2]:.2f} s |")
    print(f"| FPS panning in 2D at z16.5 over the densest neighbourhood | {fps_2d:.1f} |")
    print(f"| FPS panning in 3D (terrain + {buildings} extruded buildings in view, pitch 60°) | {fps:.1f} |")
    print(f"| FPS panning in 3D without terrain (extrusions only) | {fps_flat3d:.1f} |")
    print("\n| bundle file | bytes | gzip |\n|---|---:|---:|")
    for name, size, gz in bundle_sizes():
        print(f"| {name} | {size:,} | {gz:,} |")


def settle(page: Any) -> None:
    page.wait_for_function(
        "() => { const m = window.__map; return m.loaded() && m.areTilesLoaded() && !m.isMoving(); }",
        timeout=180_000, polling=250,
    )


def pan_fps(page: Any, seconds: float) -> float:
    """Frames per second while panning a little on every animation frame."""
    return page.evaluate(
        """(seconds) => new Promise((resolve) => {
                    const m = window.__map; let frames = 0; const t0 = performance.now(); let k = 0;
                    const step = () => {
                        frames++; k++;
                        m.panBy([Math.sin(k / 30) * 6, 4], {duration: 0});
                        if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(step);
                        else resolve(frames / ((performance.now() - t0) / 1000));
                    };
                    requestAnimationFrame(step);
                })""",
        seconds,
    )


if __name__ == "__main__":
    main()
