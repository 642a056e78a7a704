"""The course's own experiments in CPython, for the models section of make bench.

File 001: countdown(n) on two threads, then on two processes, then once alone; file 003:
asyncio.gather of the three workers (2, 1 and 3 s of asyncio.sleep, scaled) against
awaiting them in turn. Prints one JSON object: the wall times in ms.
"""

import argparse
import asyncio
import json
import multiprocessing
import threading
import time


def countdown(n):
    while n:
        n -= 1


def wall(start_all, join_all):
    started = time.perf_counter()
    start_all()
    join_all()
    return (time.perf_counter() - started) * 1000


def pair(kind, n):
    workers = [kind(target=countdown, args=(n,)) for _ in range(2)]
    return wall(lambda: [w.start() for w in workers], lambda: [w.join() for w in workers])


async def worker(delay):
    await asyncio.sleep(delay)


async def gathered(scale):
    started = time.perf_counter()
    await asyncio.gather(*(worker(d * scale) for d in (2, 1, 3)))
    return (time.perf_counter() - started) * 1000


async def in_turn(scale):
    started = time.perf_counter()
    for d in (2, 1, 3):
        await worker(d * scale)
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000, help="countdown start per thread (the course: 100,000,000)")
    parser.add_argument("--scale", type=float, default=0.2, help="factor on the course's asyncio delays")
    args = parser.parse_args()
    one = wall(lambda: countdown(args.n), lambda: None)
    out = {
        "n": args.n,
        "one_thread_ms": one,
        "two_threads_ms": pair(threading.Thread, args.n),
        "two_processes_ms": pair(multiprocessing.Process, args.n),
        "gather_ms": asyncio.run(gathered(args.scale)),
        "sequential_ms": asyncio.run(in_turn(args.scale)),
        "scale": args.scale,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
