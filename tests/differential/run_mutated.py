#!/usr/bin/env python3
"""Robustness and differential test on mutated real records.

Takes the real Phase 27 records and mutates them (seeded, so a failure repeats): inserted tool-call
and ChatML tags, quotes, backslashes, invalid UTF-8 and NUL bytes, deletions, truncations. chatfmt
must never crash, must account for every line (output + rejects + blank = lines), and every mutated
record it still converts must equal the official template's rendering (run_differential.py).

  run_mutated.py CHATFMT SAMPLE.jsonl [--count N] [--seed S]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENS = [b"<tool_call>", b"</tool_call>", b"<function=", b"</function>", b"<parameter=", b"</parameter>",
          b"<tool_response>", b"</tool_response>", b"```json\\n", b"```", b"{", b"}", b'"', b"\\", b"\\n",
          b"<|im_start|>", b"<|im_end|>", b"\xff", b"\xc3", b"\x00", b"[", b"]", b"null", b'"tool_calls": [',
          b'"role": "tool"', b"\\u0000", b"\\ud83d", b"  ", b"\t"]


def mutate(lines, count, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        line = bytearray(rng.choice(lines))
        for _ in range(rng.randrange(1, 4)):
            if not line:
                break
            op, p = rng.randrange(4), rng.randrange(len(line))
            if op == 0:
                line[p:p] = rng.choice(TOKENS)
            elif op == 1:
                del line[p:p + rng.randrange(1, 40)]
            elif op == 2:
                line = line[:p]
            else:
                line[p] = rng.randrange(256)
        out.append(bytes(line).replace(b"\n", b" "))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt")
    parser.add_argument("sample")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    with open(args.sample, "rb") as f:
        lines = [line for line in f.read().split(b"\n") if line.strip()]
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        mutated = os.path.join(workdir, "mutated.jsonl")
        records = mutate(lines, args.count, args.seed)
        with open(mutated, "wb") as f:
            f.write(b"\n".join(records) + b"\n")
        for target in ("devstral-small-2", "mistral-v3", "qwen3-xml", "openai"):
            out = os.path.join(workdir, target + ".jsonl")
            result = subprocess.run([args.chatfmt, "convert", mutated, "-o", out, "--to", target, "--json", "--quiet"],
                                    capture_output=True)
            if result.returncode not in (0, 1):
                failures += 1
                print(f"FAIL {target}: exit {result.returncode}: {result.stderr.decode(errors='replace')[:500]}")
                continue
            summary = json.loads(result.stdout)
            f = summary["files"][0]
            with open(out, "rb") as o:
                written = o.read().count(b"\n")
            with open(summary["rejects"], "rb") as r:
                rejects = [json.loads(line) for line in r.read().decode("utf-8").split("\n") if line]
            accounted = f["records"] + f["blank_lines"] == len(records) and written == f["converted"] and \
                len(rejects) == f["rejected"]
            internal = [r for r in rejects if r["rule"] == "internal-error"]
            if not accounted or internal:
                failures += 1
                print(f"FAIL {target}: accounting {f} written {written} rejects {len(rejects)} internal {internal[:1]}")
            else:
                print(f"{target}: {len(records)} lines = {f['converted']} converted + {f['rejected']} rejected + "
                      f"{f['blank_lines']} blank")
        differential = subprocess.run([sys.executable, os.path.join(HERE, "run_differential.py"), args.chatfmt, mutated])
        failures += differential.returncode != 0
    print(f"{4 + 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
