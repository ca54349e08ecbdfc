#!/usr/bin/env python3
"""Small load measurement for a running ashim-server (standard library only).

    python3 ashim-server/scripts/load.py BASE_URL TOKEN [IMAGE] [REQUESTS] [CONCURRENCY]

Runs three scenarios and prints requests/s and latency percentiles:
  1. GET /api/v1/health (no auth, DB query)
  2. POST /api/v1/tools/resize with IMAGE (default the 200x150 fixture), width 100
  3. POST /api/v1/tools/resize/batch with 8 copies of IMAGE
Every request must answer 200; failures are counted and printed.
"""
import http.client
import os
import statistics
import sys
import threading
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:1349"
token = sys.argv[2] if len(sys.argv) > 2 else ""
image = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "../../../shared/fixtures/test-200x150.png")
total = int(sys.argv[4]) if len(sys.argv) > 4 else 400
conc = int(sys.argv[5]) if len(sys.argv) > 5 else 8
url = urllib.parse.urlparse(base)
data = open(image, "rb").read()
boundary = "----ashimload"


def multipart(files, fields):
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    for name, blob in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + blob + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def scenario(name, method, path, body, headers, n, c):
    lat, errors, lock = [], [], threading.Lock()
    counter = iter(range(n))

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except Exception as e:  # reconnect after a dropped connection
                ok, r = False, e
                conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                if not ok:
                    errors.append(getattr(r, "status", str(r)))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100)
    print(f"{name:<28} n={n:<5} c={c:<3} {n / wall:8.1f} req/s   p50 {q[49]*1000:7.1f} ms   "
          f"p95 {q[94]*1000:7.1f} ms   p99 {q[98]*1000:7.1f} ms   errors {len(errors)}")
    if errors:
        print("  first errors:", errors[:5])


auth = {"Authorization": f"Bearer {token}"} if token else {}
ct = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
scenario("GET /api/v1/health", "GET", "/api/v1/health", None, {}, total * 5, conc * 2)
single = multipart([("img.png", data)], {"settings": '{"width":100}'})
scenario("POST tools/resize", "POST", "/api/v1/tools/resize", single, {**auth, **ct}, total, conc)
batch = multipart([(f"img{i}.png", data) for i in range(8)], {"settings": '{"width":100}'})
scenario("POST tools/resize/batch x8", "POST", "/api/v1/tools/resize/batch", batch, {**auth, **ct}, max(total // 8, 20), conc)
