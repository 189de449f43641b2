#!/usr/bin/env python3
"""Profile photos end to end against a running stack: PUT /v1/practitioners/me/photo with a
12-megapixel phone-sized JPEG and a 3-megapixel PNG (decode, orientation, crop, resize and
re-encode on the org service), then GET the served photo. Baseline in the same run: the same
upload route answering a refusal (no decoding), which is the cost of the request itself.

  BFF_URL=http://127.0.0.1:8080 /usr/bin/python3 bench/photo_upload.py

Signs in as the seed's practitioner (./healthtech seed). Prints medians of RUNS (default 9)."""
import os
import statistics
import sys
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from test_practitioner_photos import jpeg, png  # noqa: E402  (ctypes libturbojpeg, zlib)

BASE = os.environ.get("BFF_URL", "http://127.0.0.1:8080")
RUNS = int(os.environ.get("RUNS", "9"))


def median_ms(fn):
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main():
    r = requests.post(f"{BASE}/v1/auth/login", json={"email": "dr.meera@demo.healthtech.dev",
                                                     "password": "healthtech-demo-2026"}, timeout=10)
    r.raise_for_status()
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    s = requests.Session()

    def put(data, content_type, expect):
        resp = s.put(f"{BASE}/v1/practitioners/me/photo", data=data, timeout=30,
                     headers={**headers, "Content-Type": content_type})
        assert resp.status_code == expect, resp.text
        return resp

    photo = jpeg(4000, 3000, lambda x, y: ((x // 16 * 37) % 256, (y // 16 * 53) % 256, ((x + y) // 32 * 11) % 256))
    scan = png(2000, 1500, lambda x, y: ((x // 8 * 7) % 256, (y // 8 * 5) % 256, 90))
    refused = b"not an image" * 1000
    base = median_ms(lambda: put(refused, "image/jpeg", 400))
    rows = [("refusal (baseline: no decoding)", len(refused), base)]
    for name, data, ct in (("12 MP JPEG", photo, "image/jpeg"), ("3 MP PNG", scan, "image/png")):
        rows.append((name, len(data), median_ms(lambda: put(data, ct, 200))))
    url = put(scan, "image/png", 200).json()["photo_url"]
    served = s.get(BASE + url, timeout=10)
    get_ms = median_ms(lambda: s.get(BASE + url, timeout=10))
    print(f"{'upload':34} {'bytes':>10} {'median':>9} {'vs baseline':>12}")
    for name, size, ms in rows:
        print(f"{name:34} {size:>10,} {ms:>7.1f} ms {ms / base:>11.2f}x")
    print(f"GET the served photo: {len(served.content):,} bytes, {served.headers['Cache-Control']!r}, median {get_ms:.1f} ms")


if __name__ == "__main__":
    main()
