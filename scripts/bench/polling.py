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
import time
from pathlib import Path
from typing import Any

from benchlib import ROOT, log, prepare
from benchlib import save as save_as


def save(name: str, data: dict[str, Any]) -> None:
    save_as(f"polling-{name}", data)


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


def tree_rss_mb(pid: int) -> float:
    """Memory of a process and all its descendants now (the worker, its pool, the forked card
    renderers), as proportional set size: pages a fork shares with its parent are counted once."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for t in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (t / "children").read_text().split()]
        except OSError:
            continue
    return total / 1024


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used by a process and its descendants, including children already
    waited for (the forked card renderers end up in their parent's cutime/cstime)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            for t in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (t / "children").read_text().split()]
        except OSError:
            continue
    return total / tick


def election_for_bench(voters: int) -> Any:
    from django.utils import timezone
    from polling.tests.factory import polling_day

    from boundaries.levels import Level
    from boundaries.models import AdminUnit

    unit = AdminUnit.objects.filter(level=Level.COMMUNITY, users__isnull=False).order_by("code").first()
    return polling_day(unit, voters=voters, round=f"B{timezone.now():%H%M%S}")


def bench_cards(args: argparse.Namespace) -> None:
    """5,000 voter cards as one PDF (8 per A4 sheet, the election committee's seal on each card, a
    signed QR per card, the verification QR per sheet) by the ``polling.voter_cards`` job on a real
    worker (scripts/worker, 2 processes), its renderers forked inside the job. Measures start_job →
    done, the progress as the page shows it, and the peak memory of the whole worker process tree
    (sampled every 0.2 s). Target: < 60 s on 2 cores, < 1 GB."""
    import subprocess
    import uuid

    prepare(args.database)
    queue = f"jobs.bench.{uuid.uuid4().hex[:8]}"
    os.environ["JOBS_QUEUE"] = queue
    import django

    django.setup()
    from accounts.models import User
    from core.jobs import start_job
    from core.jobs.models import Job
    from django.db import transaction
    from polling import cards

    day = election_for_bench(args.cards)
    staff = User.objects.filter(unit=day.election.unit, role="staff").first()
    cards.ensure_cards(staff, day.election)
    worker = subprocess.Popen([str(ROOT / "scripts" / "worker")], env={**os.environ, "JOBS_WORKER_CONCURRENCY": "2"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    peak = 0.0
    cpu = 0.0
    try:
        time.sleep(3)
        cpu0 = tree_cpu_s(worker.pid)
        log(f"worker {worker.pid} on {queue}; {args.cards} cards")
        with transaction.atomic():
            job = start_job("polling.voter_cards", user=staff, unit=day.election.unit, params={"election": day.election.pk})
        t0 = time.perf_counter()
        progress: list[tuple[float, float | None]] = []
        while True:
            j = Job.objects.get(pk=job.pk)
            now = time.perf_counter() - t0
            peak = max(peak, tree_rss_mb(worker.pid))
            cpu = tree_cpu_s(worker.pid) - cpu0
            if not progress or progress[-1][1] != j.percent:
                progress.append((round(now, 1), j.percent))
            if j.status in ("done", "failed"):
                break
            if now > 3600:
                raise SystemExit("job not finished in 3600 s")
            time.sleep(0.2)
        wall = time.perf_counter() - t0
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
    if j.status != "done":
        raise SystemExit(f"job failed: {j.error}")
    save("cards", {"cards": args.cards, "pages": j.result["pages"], "seconds": round(wall, 1), "target_s": 60,
                   "pdf_mb": round(j.result_file.size / 1e6, 1), "peak_pss_mb_worker_tree": round(peak),
                   "cpu_seconds_worker_tree": round(cpu, 1),
                   "progress_updates": len(progress), "progress": progress[:: max(1, len(progress) // 12)],
                   "processes": int(os.environ.get("POLLING_CARD_PROCESSES", "2")),
                   "load_average": os.getloadavg(), "cpus": os.cpu_count()})


def bench_scan(args: argparse.Namespace) -> None:
    """8 scanners (threads, one keep-alive HTTP connection each, as 8 phones) work through the same N
    cards in their own random order against the production server (scripts/serve: granian, 2
    processes × 2 threads, on this database): each read of a card is a ``check``; a valid one is then
    issued. Every request is timed on the client. Target: verification p95 < 30 ms; exactly N
    ballots issued. ``--pace 0.5 --reads 150``: each clerk reads a card every ~0.5 s (still far faster
    than people queue at a table) — the latency a clerk sees; without it the scanners hammer the
    server back to back — the throughput and the exactly-N guarantee under contention."""
    import http.client
    import socket
    import subprocess
    import threading

    prepare(args.database)
    import django

    django.setup()
    from accounts.models import User
    from polling import cards, services
    from polling.models import Issuance, VoterCard
    from rest_framework.authtoken.models import Token

    day = election_for_bench(args.cards)
    staff = User.objects.filter(unit=day.election.unit, role="staff").first()
    token = Token.objects.get_or_create(user=staff)[0].key
    vote = services.open_vote(staff, day.election)
    cards.ensure_cards(staff, day.election)
    codes = [cards.payload(t) for t in VoterCard.objects.filter(election=day.election).values_list("token", flat=True)]
    stations = [day.centre.pk, day.station.pk, day.mobile.pk]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(ROOT / "scripts" / "serve")], env={**os.environ, "PORT": str(port), "ACCESS_LOG": "0",
                                                                       "SERVER_LOG_LEVEL": "warning"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    checks: list[float] = []
    issues: list[float] = []
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.scanners)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "localhost"}

    def post(conn: http.client.HTTPConnection, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        t0 = time.perf_counter()
        conn.request("POST", path, json.dumps(body), headers)
        r = conn.getresponse()
        data = json.loads(r.read() or b"{}")
        return r.status, data, time.perf_counter() - t0

    def scanner(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = codes[:]
        random.Random(i).shuffle(mine)
        c_times, i_times, seen = [], [], []
        barrier.wait()
        for code in mine[: args.reads or None]:
            if args.pace:
                time.sleep(random.uniform(0.5, 1.5) * args.pace)
            body = {"station": stations[i % 3], "code": code}
            status, data, dt = post(conn, f"/api/polling/votes/{vote.pk}/check/", body)
            c_times.append(dt)
            if data.get("status") == "valid":
                status, data, dt = post(conn, f"/api/polling/votes/{vote.pk}/issue/", body)
                i_times.append(dt)
                seen.append("issued" if status == 201 else str(data.get("code", status)))
        with lock:
            checks.extend(c_times)
            issues.extend(i_times)
            outcomes.extend(seen)

    try:
        for _ in range(120):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz", headers={"Host": "localhost"})
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        # warm up each server thread's connection and imports
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(20):
            post(warm, f"/api/polling/votes/{vote.pk}/check/", {"station": stations[0], "code": "warm-up"})
        threads = [threading.Thread(target=scanner, args=(i,)) for i in range(args.scanners)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return round(1000 * xs[min(len(xs) - 1, int(q * len(xs)))], 1) if xs else 0.0

    save("scan-paced" if args.pace else "scan", {"cards": args.cards, "scanners": args.scanners, "seconds": round(wall, 1),
                  "pace_s": args.pace, "reads_per_scanner": args.reads or args.cards,
                  "server": "scripts/serve (granian, 2 processes x 2 threads)",
                  "check_requests": len(checks), "check_p50_ms": pct(checks, 0.5), "check_p95_ms": pct(checks, 0.95),
                  "check_max_ms": pct(checks, 1.0), "issue_requests": len(issues), "issue_p50_ms": pct(issues, 0.5),
                  "issue_p95_ms": pct(issues, 0.95), "issued_ok": outcomes.count("issued"),
                  "issue_refused": {k: outcomes.count(k) for k in set(outcomes) - {"issued"}},
                  "issuances_in_database": Issuance.objects.filter(vote=vote).count(), "target_p95_ms": 30,
                  "load_average": os.getloadavg(), "cpus": os.cpu_count()})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    o = sub.add_parser("outcome")
    o.add_argument("--ballots", type=int, default=10_000)
    c = sub.add_parser("cards")
    c.add_argument("--cards", type=int, default=5000)
    c.add_argument("--database", default="bench_polling")
    s = sub.add_parser("scan")
    s.add_argument("--cards", type=int, default=1000)
    s.add_argument("--scanners", type=int, default=8)
    s.add_argument("--database", default="bench_polling")
    s.add_argument("--pace", type=float, default=0.0, help="seconds between one scanner's reads (0: as fast as it can)")
    s.add_argument("--reads", type=int, default=0, help="reads per scanner (0: every card)")
    args = p.parse_args()
    {"outcome": bench_outcome, "cards": bench_cards, "scan": bench_scan}[args.what](args)


if __name__ == "__main__":
    main()
