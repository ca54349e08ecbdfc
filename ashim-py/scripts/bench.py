#!/usr/bin/env python3
"""Python side of scripts/bench.sh: 12 MP JPEG -> 800 px wide JPEG q80 with ashim (and
Pillow when it is installed). Prints median milliseconds."""

import io
import statistics
import sys
import time

import ashim

path, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
data = open(path, "rb").read()
steps = [("resize", {"width": 800}), ("convert", {"format": "jpg", "quality": 80})]


def bench(label, fn):
    fn()  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"{label} median_ms={statistics.median(times):.2f} min_ms={times[0]:.2f} {out}")


bench("python-ashim", lambda: ashim.pipeline(steps, data))
try:
    from PIL import Image

    def pillow():
        im = Image.open(io.BytesIO(data))
        w = 800
        h = round(im.height * w / im.width)
        out = io.BytesIO()
        im.resize((w, h), Image.LANCZOS).save(out, "JPEG", quality=80)
        return f"{w}x{h} bytes={out.tell()}"

    def pillow_draft():
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", (800, 800 * im.height // im.width))  # DCT shrink-on-load, as ashim
        w = 800
        h = round(im.size[1] * w / im.size[0])
        out = io.BytesIO()
        im.resize((w, h), Image.LANCZOS).save(out, "JPEG", quality=80)
        return f"{w}x{h} bytes={out.tell()}"

    bench("pillow", pillow)
    bench("pillow-draft", pillow_draft)
except ImportError:
    print("pillow not installed")
