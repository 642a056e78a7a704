"""The course's md5 coin miner in CPython, for `make bench`: one process, then a
ProcessPoolExecutor, over a fixed nonce range, so it mines the same candidates as
the lab's kernel and the other peers and its coins can be checked against theirs.

The course's script (the md5 coin exercise of the concurrent.futures lesson):

    while True:
        s = "".join([choice("0123456789") for i in range(50)])
        h = md5(s.encode('utf8')).hexdigest()
        if h.endswith("00000"):
            print(s, h)

What differs here, and why:
- The candidate is nonce n zero-padded to 50 digits ("%050d" % n), not 50 random
  digits: the same candidates as every other peer in the bench, so the coins can be
  compared, and the rate measures md5 plus the loop rather than `random.choice`
  (50 calls of it cost several times the hash). `--random` runs the course's own
  candidate line, for its rate as written.
- The loop ends after `count` candidates instead of running forever, and coins are
  collected and returned instead of printed.
- The pool splits the range into contiguous slices, one task each (as many tasks as
  workers, then a few more so that a slow worker does not hold the rest up); the
  course leaves the split to the student. Pool start is inside the timed part, as a
  student's stopwatch would have it.

Prints one JSON line per worker count:
{"workers": N, "pool": bool, "start", "count", "ms": [per timed run], "coins": [nonces]}.
"""

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from hashlib import md5
from random import choice


def mine(start, count):
    """The course's loop body over start .. start + count - 1: the coins' nonces."""
    coins = []
    for n in range(start, start + count):
        s = "%050d" % n
        h = md5(s.encode('utf8')).hexdigest()

        if h.endswith("00000"):
            coins.append(n)
    return coins


def mine_random(count):
    """The course's loop as written (random digits), over count candidates."""
    coins = []
    for _ in range(count):
        s = "".join([choice("0123456789") for i in range(50)])
        h = md5(s.encode('utf8')).hexdigest()

        if h.endswith("00000"):
            coins.append(s)
    return coins


def mine_pool(start, count, workers):
    tasks = workers * 4
    bounds = [start + count * i // tasks for i in range(tasks + 1)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(mine, bounds[:-1], [b - a for a, b in zip(bounds, bounds[1:])])
        return [n for part in parts for n in part]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=1 << 22)
    p.add_argument("--workers", default="1,2", help="comma-separated; 1 is the plain loop, no pool")
    p.add_argument("--reps", type=int, default=1, help="timed runs (no warm-up: CPython has no JIT to warm)")
    p.add_argument("--random", action="store_true", help="the course's own random candidates, one process")
    a = p.parse_args()
    if a.random:
        runs = []
        for _ in range(a.reps):
            t = time.perf_counter()
            coins = mine_random(a.count)
            runs.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"workers": 1, "pool": False, "random": True, "count": a.count, "ms": runs, "coins": coins}))
        return
    for workers in [int(w) for w in a.workers.split(",")]:
        runs = []
        for _ in range(a.reps):
            t = time.perf_counter()
            coins = mine(a.start, a.count) if workers == 1 else mine_pool(a.start, a.count, workers)
            runs.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"workers": workers, "pool": workers > 1, "start": a.start, "count": a.count, "ms": runs,
                          "coins": coins}), flush=True)


if __name__ == "__main__":
    main()
