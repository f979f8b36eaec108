#!/usr/bin/python3
"""t/ws-client.py -- a WebSocket subscriber of a task's live output, for the
tests (t/api/test_ws.c) and the benchmark (t/bench/ws.sh).  It uses Debian's
python3-websockets: a real client library, not ours (hence /usr/bin/python3,
Debian's, whose module path has it).

  ws-client.py [-H 'Name: value']... [-n N] [-t SECONDS] [--delays] URL

With -n 1 (the default) it prints "open" once subscribed, then every message
as received, one a line, and exits 0 after the end message (one with
"finished": true).  With -n N (or --delays) it opens N subscriptions at once, prints
"open N" when all are in, and when every one has had the end message
prints one line per subscriber:
  {"i": k, "count": messages, "sha256": digest of all of them in order}
and with --delays one more line, over every message of every subscriber
whose text starts "t=<unix seconds>" (written so by the bench's script):
  {"delays": n, "p50_ms": ., "p99_ms": ., "max_ms": ., "first": t, "last": t}
A refused handshake prints "refused STATUS" and exits 2; no end message
within the time limit exits 3.
"""
import argparse
import asyncio
import hashlib
import json
import sys
import time

import websockets
import websockets.exceptions


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("-H", dest="headers", action="append", default=[])
    p.add_argument("-n", type=int, default=1)
    p.add_argument("-t", type=float, default=30.0)
    p.add_argument("--delays", action="store_true")
    p.add_argument("url")
    return p.parse_args()


def is_end(text):
    try:
        return json.loads(text).get("finished") is True
    except ValueError:
        return False


async def connect(a):
    headers = []
    origin = None
    for h in a.headers:
        name, _, value = h.partition(":")
        if name.strip().lower() == "origin":
            origin = value.strip()
        else:
            headers.append((name.strip(), value.strip()))
    return await websockets.connect(a.url, extra_headers=headers,
                                    origin=origin, open_timeout=a.t,
                                    max_size=2 ** 20, ping_interval=None,
                                    max_queue=None)


async def single(a):
    ws = await connect(a)
    print("open", flush=True)
    async for msg in ws:
        print(msg, flush=True)
        if is_end(msg):
            await ws.close()
            return 0
    return 3


async def collect(ws, delays):
    """Every message up to the end one; receipt times kept for --delays."""
    got = []
    async for msg in ws:
        got.append((time.time(), msg))
        if is_end(msg):
            break
    await ws.close()
    return got


async def many(a):
    socks = await asyncio.gather(*[connect(a) for _ in range(a.n)])
    print("open %d" % len(socks), flush=True)
    results = await asyncio.gather(*[collect(ws, a.delays) for ws in socks])
    delays, first, last = [], None, None
    for i, got in enumerate(results):
        h = hashlib.sha256()
        for t, msg in got:
            h.update(msg.encode() + b"\n")
            if not a.delays:
                continue
            text = json.loads(msg).get("text", "")
            if text.startswith("t="):
                delays.append((t - float(text[2:].split()[0])) * 1000.0)
                first = t if first is None else min(first, t)
                last = t if last is None else max(last, t)
        print(json.dumps({"i": i, "count": len(got),
                          "sha256": h.hexdigest()}), flush=True)
    if a.delays and delays:
        delays.sort()
        pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
        print(json.dumps({"delays": len(delays), "p50_ms": pick(0.50),
                          "p99_ms": pick(0.99), "max_ms": delays[-1],
                          "first": first, "last": last}), flush=True)
    return 0


def main():
    a = parse_args()
    try:
        return asyncio.run(asyncio.wait_for(
            single(a) if a.n == 1 and not a.delays else many(a), a.t))
    except websockets.exceptions.InvalidStatusCode as e:
        print("refused %d" % e.status_code, flush=True)
        return 2
    except asyncio.TimeoutError:
        print("timeout", flush=True)
        return 3


if __name__ == "__main__":
    sys.exit(main())
