"""The course's own model of the link check: CPython, ThreadPoolExecutor, urllib.

Checks the same lab URLs as the browser with 1, 5, 10, 100 worker threads and
prints one JSON line per pool size: {"workers": N, "ms": [wall times]}.
"""

import argparse
import concurrent.futures
import json
import time
import urllib.request


def load(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as conn:
        return conn.status, len(conn.read())


def check(urls, workers, timeout):
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        futures = [executor.submit(load, url, timeout) for url in urls]
        for future in concurrent.futures.as_completed(futures):
            status, _ = future.result()
            assert status == 200, status
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="lab server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--n", type=int, default=40, help="URLs in the list")
    parser.add_argument("--delay", type=int, default=200, help="ms each URL takes to answer")
    parser.add_argument("--workers", default="1,5,10,100", help="pool sizes, comma-separated")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    urls = [f"{args.base}/lab/delay/{args.delay}?i={i}" for i in range(args.n)]
    check(urls[:5], 5, 10)  # warm-up: connections, imports
    for workers in (int(w) for w in args.workers.split(",")):
        runs = [check(urls, workers, 10) for _ in range(args.reps)]
        print(json.dumps({"workers": workers, "ms": runs}), flush=True)


if __name__ == "__main__":
    main()
