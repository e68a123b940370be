#!/usr/bin/env python3
"""Write a JSONL corpus of about N MB by repeating the lines of a source JSONL file.

  make_corpus.py SOURCE.jsonl OUT.jsonl --megabytes N

The output is the source's non-blank lines, in order, cycled until the output holds at least
N * 1,000,000 bytes (so it overshoots by less than one line). Every line ends in "\\n"; blank
lines of the source are left out, so every output line is one record. The output depends only on
SOURCE and N: the same inputs give the same bytes on every run and machine.

--distinct: every repetition after the first starts its records' first user message with "[copy K] "
(K the repetition, counted from 1), so the copies are other records, not duplicates: a dataset of the
source's own mix of duplicates, drift and findings, only larger (the lint benchmark needs one; a plain
repetition makes every record a duplicate). Lines without a '"role": "user", "content": "' stay as they are.

Prints one summary line to stderr: bytes, lines, and how many times the source was repeated.
Standard library only (the benchmark runs it with /usr/bin/python3).
"""
import argparse
import sys

MB = 1_000_000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="JSONL file whose lines are repeated")
    parser.add_argument("out", help="output JSONL file (overwritten)")
    parser.add_argument("--megabytes", type=float, required=True, help="target size in MB (10^6 bytes)")
    parser.add_argument("--distinct", action="store_true", help="mark each repetition's user prompts as its own")
    args = parser.parse_args()
    if args.megabytes <= 0:
        parser.error("--megabytes must be positive")

    with open(args.source, "rb") as f:
        lines = [line.rstrip(b"\r\n") + b"\n" for line in f if line.strip()]
    if not lines:
        sys.exit(f"make_corpus.py: {args.source}: no non-blank lines")

    target = int(args.megabytes * MB)
    written = 0
    count = 0
    user = b'"role": "user", "content": "'
    repetition = 0
    with open(args.out, "wb") as out:
        while written < target:
            for line in lines:
                if args.distinct and repetition > 0:
                    line = line.replace(user, user + b"[copy %d] " % repetition, 1)
                out.write(line)
                written += len(line)
                count += 1
                if written >= target:
                    break
            repetition += 1
    print(f"make_corpus.py: {args.out}: {written} bytes, {count} lines "
          f"({count / len(lines):.2f} x {len(lines)} source lines)", file=sys.stderr)


if __name__ == "__main__":
    main()
