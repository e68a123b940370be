#!/usr/bin/env python3
"""Differential test of chatfmt's serializers against Python: json.dumps(ensure_ascii=False), which
is what the chat templates' `tojson` is, and str(), which Jinja's `|string` is. Random documents (seeded, so a failure repeats)
stress floats at every magnitude, big and negative integers, escapes and non-ASCII text.

  check_python_json.py PYTHON_JSON_DUMP
"""
import json
import math
import random
import struct
import subprocess
import sys


def random_float(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
    if kind == 1:
        return rng.uniform(-1e6, 1e6)
    if kind == 2:
        return float(rng.randrange(-10**17, 10**17))
    if kind == 3:
        return 10.0 ** rng.randrange(-30, 30) * rng.choice([1, -1, 1.5, 0.1, 123.456])
    if kind == 4:
        return rng.choice([0.0, -0.0, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.0001, 5e-324, 1.7976931348623157e308])
    return round(rng.uniform(-100, 100), rng.randrange(0, 6))


def random_string(rng):
    alphabet = "ab \"\\/\n\t\r\b\f\x00\x01\x1f\x7f\x85\xa0\xadé日本👩\u200b\u2028\u3000\ufeff\U000e0001<>&'"
    # Some long strings with rare escapes too: the escaper scans 16 bytes at a time, so escapes must
    # land at every offset of a block, and runs must cross block boundaries.
    if rng.randrange(4) == 0:
        plain = "abcdefghij é日本 xyz"
        return "".join(rng.choice(alphabet) if rng.randrange(20) == 0 else rng.choice(plain)
                       for _ in range(rng.randrange(12, 80)))
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))


def random_value(rng, depth=0):
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        f = random_float(rng)
        return f if math.isfinite(f) else 0.5
    if kind == 1:
        return rng.choice([0, -1, 1, 2**63 - 1, -2**63, 2**64 - 1, rng.randrange(-10**12, 10**12)])
    if kind == 2:
        return random_string(rng)
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return None
    if kind in (5, 6):
        return {random_string(rng): random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]


def main():
    rng = random.Random(20261122)
    documents = [random_value(rng) for _ in range(20000)]
    # Text as a record would have it: compact separators, ASCII escapes, numbers as Python writes them.
    lines = [json.dumps(d, separators=(",", ":")) for d in documents]
    result = subprocess.run([sys.argv[1]], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    ours = result.stdout.split("\n")
    failures = 0
    for index, line in enumerate(lines):
        value = json.loads(line)
        for kind, expected, mine in (("json.dumps", json.dumps(value, ensure_ascii=False), ours[2 * index]),
                                     ("str", str(value), json.loads(ours[2 * index + 1]))):
            if mine != expected:
                failures += 1
                if failures <= 10:
                    print(f"FAIL {kind} {line}\n  python:  {expected!r}\n  chatfmt: {mine!r}")
    print(f"{2 * len(lines) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
