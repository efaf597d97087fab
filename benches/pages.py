#!/usr/bin/env python3
"""Server time of each portal page (BENCHMARKS.md, issue 13): p50 and p99 over N requests.

    python3 benches/pages.py --base http://127.0.0.1:PORT [--rounds 200]

Against a running `paesi serve` (release build) over a KB of the shared corpus and
`ontology/`. Each page is fetched once to warm up, then `--rounds` times on one keep-alive
connection (http.client, no other load); the time is from sending the request to reading the
last byte of the answer, so it is the server's time plus loopback. Every answer must be 200,
or the run stops.
"""
import argparse
import http.client
import statistics
import time
import urllib.parse

PAGES = [
    ("home it", "/?lang=it"),
    ("home ar", "/?lang=ar"),
    ("search it", "/search?q=ricongiungimento+familiare&lang=it"),
    ("search en", "/search?q=family+reunification+with+my+wife&lang=en"),
    ("search ar", "/search?q=%D9%84%D9%85+%D8%B4%D9%85%D9%84+%D8%A7%D9%84%D8%A3%D8%B3%D8%B1%D8%A9&lang=ar"),
    ("procedure it", "/procedure/ricongiungimento-nulla-osta?lang=it"),
    ("procedure ar", "/procedure/ricongiungimento-nulla-osta?lang=ar"),
    ("norm art. 29 TU", "/act/stato/decreto.legislativo/1998/286/art29?lang=it"),
    ("norm art. 5 TU", "/act/stato/decreto.legislativo/1998/286/art5?lang=it"),
    ("act TU", "/act/stato/decreto.legislativo/1998/286?lang=it"),
]


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    print(f"{'page':<18} {'bytes':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for label, path in PAGES:
        headers = {"Accept": "text/html"}
        conn.request("GET", path, headers=headers)
        first = conn.getresponse()
        body = first.read()
        if first.status != 200:
            raise SystemExit(f"{path}: HTTP {first.status}")
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            answer.read()
            times.append((time.perf_counter() - start) * 1000)
            if answer.status != 200:
                raise SystemExit(f"{path}: HTTP {answer.status}")
        times.sort()
        print(
            f"{label:<18} {len(body):>8} {statistics.median(times):>8.2f} "
            f"{percentile(times, 99):>8.2f} {times[-1]:>8.2f}"
        )


if __name__ == "__main__":
    main()
