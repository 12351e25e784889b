#!/usr/bin/env python3
"""Hostile-upload memory check (issue 13): N connections each send a 31 MiB remote-write body
to a running `aiops serve`, with or without a valid token, while the server's RSS is sampled.

    aiops serve --config CONFIG --body-memory 256MiB &
    python3 Benchmarks/body-memory.py --pid $! --port 9201 --token TOKEN [--connections 1000]

Prints the server's RSS before, the peak during the run, and how the requests were answered.
"""
import argparse, asyncio, collections, os, time

def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0

async def upload(port, token, size, chunk, outcomes):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        outcomes["connect_error"] += 1
        return
    head = (f"POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
            f"Content-Encoding: snappy\r\nContent-Length: {size}\r\n")
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    head += "\r\n"
    status = None
    read_task = asyncio.ensure_future(asyncio.sleep(0))
    try:
        writer.write(head.encode())
        await writer.drain()
        sent = 0
        await read_task
        read_task = asyncio.ensure_future(reader.readline())
        while sent < size:
            if read_task.done():
                break
            n = min(len(chunk), size - sent)
            writer.write(chunk[:n])
            await writer.drain()
            sent += n
        line = await asyncio.wait_for(read_task, 120)
        status = line.split()[1].decode() if line else "eof"
    except (ConnectionError, asyncio.TimeoutError, OSError) as e:
        status = status or type(e).__name__
    finally:
        if not read_task.done():
            read_task.cancel()
        elif not read_task.cancelled():
            read_task.exception()  # retrieved: a reset after the refusal is expected
        try:
            writer.close()
        except Exception:
            pass
    outcomes[status] += 1

async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--port", type=int, default=9201)
    p.add_argument("--token", default="")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--mib", type=int, default=31)
    a = p.parse_args()
    size = a.mib << 20
    chunk = os.urandom(1 << 20)
    before = rss(a.pid)
    peak = before
    outcomes = collections.Counter()
    start = time.time()
    tasks = [asyncio.ensure_future(upload(a.port, a.token, size, chunk, outcomes)) for _ in range(a.connections)]
    while not all(t.done() for t in tasks):
        peak = max(peak, rss(a.pid))
        await asyncio.sleep(0.05)
    after = rss(a.pid)
    print(f"token={'yes' if a.token else 'no'} connections={a.connections} body={a.mib} MiB "
          f"rss_before={before/2**20:.1f} MiB rss_peak={peak/2**20:.1f} MiB rss_after={after/2**20:.1f} MiB "
          f"seconds={time.time()-start:.1f} outcomes={dict(outcomes)}")

asyncio.run(main())
