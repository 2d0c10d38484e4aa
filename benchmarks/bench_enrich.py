"""Enrichment throughput against a rate limit: how close to N / rate do we get?

A local threaded HTTP server on 127.0.0.1 (in a child process, so it does not
compete with the client for the GIL) answers every lookup in 50 ms; one
provider is limited to 50 requests/s with enough concurrency to keep the pipe
full. The floor is N / rate (the limit, not the server, is the bottleneck); the
ratio elapsed / floor should stay at or under 1.15.

    python benchmarks/bench_enrich.py                    # 1,000 accounts, floor 20 s
    python benchmarks/bench_enrich.py --accounts 10000   # the full 200 s run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import polars as pl

from listbuilder.http import enrich_companies, parse_providers
from listbuilder.schema import COMPANY_SCHEMA


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API would
    latency = 0.05
    lock = threading.Lock()
    stamps: list[float] = []
    in_flight = 0
    max_in_flight = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        cls = type(self)
        with cls.lock:
            cls.stamps.append(time.monotonic())
            cls.in_flight += 1
            cls.max_in_flight = max(cls.max_in_flight, cls.in_flight)
        time.sleep(cls.latency)
        domain = parse_qs(urlparse(self.path).query).get("domain", [""])[0]
        body = json.dumps({"employees": 100 + len(domain), "tech": ["Salesforce"]}).encode()
        with cls.lock:
            cls.in_flight -= 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(latency: float, port_out: mp.Queue, stop: mp.Event, stats_out: mp.Queue) -> None:
    """Child process: serve until ``stop`` is set, then report arrival times."""
    _Handler.latency = latency
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port_out.put(server.server_address[1])
    stop.wait()
    server.shutdown()
    server.server_close()
    stats_out.put((_Handler.stamps, _Handler.max_in_flight))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="provider rate limit (req/s)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.05, help="server answer time (s)")
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    port_q, stats_q, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_serve, args=(args.latency, port_q, stop, stats_q), daemon=True)
    child.start()
    port = port_q.get(timeout=30)
    providers = parse_providers(
        {
            "provider": [
                {
                    "name": "bench",
                    "url": f"http://127.0.0.1:{port}/v1/company?domain={{domain}}",
                    "rate_limit": args.rate,
                    "concurrency": args.concurrency,
                    "timeout": 10,
                    "fields": {"employees": "employees", "technologies": "tech"},
                }
            ]
        }
    )
    n = args.accounts
    df = pl.DataFrame(
        {
            "domain": [f"company{i:06d}.com" for i in range(n)],
            "employees": [None] * n,
            "technologies": [None] * n,
        },
        schema={
            "domain": pl.String,
            "employees": COMPANY_SCHEMA["employees"],
            "technologies": COMPANY_SCHEMA["technologies"],
        },
    )
    try:
        with tempfile.TemporaryDirectory() as cache_dir:
            start = time.monotonic()  # CLOCK_MONOTONIC: comparable with the child's stamps
            result = enrich_companies(df, providers, cache_dir=cache_dir)
            end = time.monotonic()
            elapsed = end - start
    finally:
        stop.set()
        stamps, max_in_flight = stats_q.get(timeout=30)
        child.join(timeout=30)

    floor = n / args.rate
    stamps = sorted(stamps)
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    filled = result.stats.filled.get("employees", 0)
    print(f"accounts          {n:,}")
    print(f"requests served   {len(stamps):,} (max {max_in_flight} in flight)")
    print(f"filled            {filled:,} employees, {result.stats.failed} failed")
    if span:
        print(f"server-side rate  {(len(stamps) - 1) / span:.2f} req/s")
    print(
        f"elapsed           {elapsed:.2f} s  (first request after {stamps[0] - start:.2f} s, "
        f"last answer to return {end - stamps[-1]:.2f} s)"
    )
    print(f"floor N/rate      {floor:.2f} s  ({n:,} / {args.rate:g} req/s)")
    print(f"ratio             {elapsed / floor:.3f}  (aim <= 1.15)")
    return 0 if filled == n and elapsed / floor <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
