"""Front-end benchmark: page load → first full render, bundle sizes, FPS while panning in 3D, and
how long the 3D view of a community and a building's floor view take to settle.

Runs the real stack on localhost: scripts/serve (granian) serving Django (WhiteNoise static files, tiles from
PostGIS) over the database in DATABASE_URL (load a demo first: `manage.py load_demo --scale full`),
driven by Debian's headless Chromium through Playwright. WebGL runs on SwiftShader (software), so
the FPS figure is a floor: a desktop GPU does much better.

    DATABASE_URL=postgis://... .venv/bin/python scripts/bench/frontend.py [--user yubei_admin] [--runs 3]
        [--community-user 500112002001_staff]

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


def login_type(env: dict[str, str], username: str) -> str:
    code = (
        "import django; django.setup()\n"
        "from accounts.models import User\n"
        f"print(User.objects.get(username={username!r}).login_type)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return res.stdout.strip()


def tallest_building(env: dict[str, str], community_user: str) -> int:
    """The tallest building in the community user's community (the heaviest floor view)."""
    code = (
        "import django; django.setup()\n"
        "from accounts.models import User\n"
        "from boundaries.models import AdminUnit\n"
        f"u = User.objects.get(username={community_user!r})\n"
        "b = AdminUnit.objects.filter(level=5, path__startswith=u.unit.path).order_by('-height_m', 'code').first()\n"
        "print(b.pk)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(res.stdout.strip())


def sign_in(page: Any, base: str, username: str, kind: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/accounts/login/")
    if page.locator("#login-type").count():
        page.check(f"#login-type input[value={kind}]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


# Seconds from a click until the map has loaded what it needs and drawn it ("idle": no camera
# movement, every tile in view loaded, no frame pending), i.e. what the user waits for.
UNTIL_IDLE = """async (selector) => {
    const m = window.__map; const t0 = performance.now();
    const idle = new Promise((resolve) => m.once('idle', resolve));
    document.querySelector(selector).click();
    await idle;
    while (!(m.loaded() && m.areTilesLoaded() && !m.isMoving())) await new Promise((r) => m.once('idle', r));
    return (performance.now() - t0) / 1000;
}"""


def community_3d(browser: Any, base: str, env: dict[str, str], user: str, runs: int) -> dict[str, Any]:
    """The 3D view of the community user's community (fitted on load), the floor view of its
    tallest building, and the 3D view again with terrain turned on in the layer panel: seconds to
    settle after the click, in a fresh page each run."""
    building = tallest_building(env, user)
    kind = login_type(env, user)
    out: dict[str, Any] = {"3d": [], "floors": [], "3d_terrain": [], "renderer": "", "terrain_default": None}
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    sign_in(page, base, user, kind)
    for _ in range(runs):
        page.goto(f"{base}/map/")
        page.wait_for_function("window.__mapReady === true", timeout=300_000)
        settle(page)
        out["3d"].append(page.evaluate(UNTIL_IDLE, "#btn-3d"))
        out["terrain_default"] = page.evaluate("!!window.__map.getTerrain()")
        page.evaluate("(id) => window.__app.select(id, 5, {fly: true})", building)
        page.wait_for_timeout(1200)
        settle(page)
        page.click("#tabs button[data-tab=building]")
        page.wait_for_selector("#btn-floors")
        out["floors"].append(page.evaluate(UNTIL_IDLE, "#btn-floors"))
        # Back to the community in 2D, terrain on in the layer panel, 3D again.
        page.goto(f"{base}/map/")
        page.wait_for_function("window.__mapReady === true", timeout=300_000)
        settle(page)
        page.click("#tabs button[data-tab=layers]")
        if not page.is_checked("#terrain-switch"):
            page.check("#terrain-switch")
        out["3d_terrain"].append(page.evaluate(UNTIL_IDLE, "#btn-3d"))
    out["renderer"] = page.evaluate(
        """() => { const c = window.__map.getCanvas(); const gl = c.getContext('webgl2') || c.getContext('webgl');
                  const ext = gl.getExtension('WEBGL_debug_renderer_info');
                  return gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER); }"""
    )
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="yubei_admin", help="account whose unit is fitted on load (default: the district)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pan-seconds", type=float, default=6.0)
    ap.add_argument("--community-user", default="500112002001_staff",
                    help="account whose community's 3D view and tallest building's floor view are timed")
    ap.add_argument("--only-3d", action="store_true", help="only the community 3D and floor-view timings")
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
            timings = community_3d(browser, base, env, args.community_user, args.runs)
            if args.only_3d:
                browser.close()
                print("| measure | value |\n|---|---|")
                report_3d(args, timings)
                return
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            sign_in(page, base, args.user, login_type(env, args.user))
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
    report_3d(args, timings)
    print("\n| bundle file | bytes | gzip |\n|---|---:|---:|")
    for name, size, gz in bundle_sizes():
        print(f"| {name} | {size:,} | {gz:,} |")


def report_3d(args: Any, t: dict[str, Any]) -> None:
    def med(xs: list[float]) -> str:
        return f"{sorted(xs)[len(xs) // 2]:.1f} s (runs: {', '.join(f'{x:.1f}' for x in xs)})"

    terrain = "with terrain" if t["terrain_default"] else "without terrain (software WebGL)"
    print(f"| 3D view of the community of {args.community_user} settles, default: {terrain} | {med(t['3d'])} |")
    print(f"| floor view of its tallest building settles | {med(t['floors'])} |")
    print(f"| 3D view with terrain turned on in the layer panel settles | {med(t['3d_terrain'])} |")
    print(f"| WebGL renderer | {t['renderer']} |")


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
