#!/usr/bin/env python
"""Polling-day benchmarks (docs/polling.md has the figures).

    python scripts/bench/polling.py outcome [--ballots 10000]
    python scripts/bench/polling.py cards [--cards 5000] [--database bench_polling]
    python scripts/bench/polling.py scan [--cards 1000] [--scanners 8] [--database bench_polling]

``outcome``: the vote-outcome function (polling.outcome.evaluate) over N ballots entered one by one
(3 posts: 主任 1 of 2, 副主任 1 of 2, 委员 3 of 6, write-ins and overvoted posts among them), the time
of the whole evaluation, best and median of 5 runs. Target: 10,000 ballots < 1 s.
``cards`` and ``scan`` use their own database (migrate + the tiny demo) and are described at their
functions. Results go to var/bench/polling-<what>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-pii-key")
OUT = ROOT / "var" / "bench"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def save(name: str, data: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"polling-{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def outcome_input(n: int, seed: int = 7) -> dict[str, Any]:
    rnd = random.Random(seed)
    posts = [
        {"id": "director", "kind": "主任", "seats": 1, "candidates": [
            {"id": f"d{i}", "name": f"主任候选人{i}", "gender": "male" if i else "female"} for i in range(2)]},
        {"id": "deputy", "kind": "副主任", "seats": 1, "candidates": [
            {"id": f"v{i}", "name": f"副主任候选人{i}", "gender": "male"} for i in range(2)]},
        {"id": "members", "kind": "委员", "seats": 3, "candidates": [
            {"id": f"m{i}", "name": f"委员候选人{i}", "gender": "female" if i % 2 else "male"} for i in range(6)]},
    ]
    ballots = []
    for _ in range(n):
        marks: dict[str, list[Any]] = {
            "director": ["d0" if rnd.random() < 0.62 else "d1"],
            "deputy": ["v0" if rnd.random() < 0.55 else "v1"],
            "members": rnd.sample([f"m{i}" for i in range(6)], 3 if rnd.random() < 0.97 else 4),
        }
        if rnd.random() < 0.02:
            marks["members"] = [*marks["members"][:2], {"write_in": "周八", "gender": "male"}]
        ballots.append({"box": "main" if rnd.random() < 0.9 else "mobile", "marks": marks})
    boxes = [{"id": "main", "name": "中心会场", "issued": n}, {"id": "mobile", "name": "流动票箱", "issued": n}]
    return {"registered": int(n * 1.6), "boxes": boxes, "posts": posts, "ballots": ballots}


def bench_outcome(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from polling import outcome

    data = outcome_input(args.ballots)
    times = []
    result: dict[str, Any] = {}
    for _ in range(5):
        t0 = time.perf_counter()
        result = outcome.evaluate(data, province="500112")
        times.append(time.perf_counter() - t0)
    save("outcome", {
        "ballots": args.ballots, "runs_s": [round(t, 3) for t in times], "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3), "target_s": 1.0, "valid": result["valid"],
        "elected": [e["name"] for e in result.get("elected", [])], "load_average": os.getloadavg()[0],
    })


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    o = sub.add_parser("outcome")
    o.add_argument("--ballots", type=int, default=10_000)
    args = p.parse_args()
    {"outcome": bench_outcome}[args.what](args)


if __name__ == "__main__":
    main()
