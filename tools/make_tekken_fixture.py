#!/usr/bin/env python3
"""Write a small, deterministic Mistral tekken.json (docs/tekken.md) learned from a JSONL corpus.

  make_tekken_fixture.py CORPUS.jsonl OUT.json --merges N

The vocabulary is ranks 0..255 = the single bytes 0..255 in byte order, then N tokens learned by
byte-pair encoding training over the corpus:

  - text: every string value of every record, found recursively (object keys are not text), in
    file order; each string is split into pieces with the tekken pattern (the same split the
    encoder uses, tools/oracle/tekken_encode.py), and each piece is a word of UTF-8 bytes;
  - start with every word as its single bytes; count adjacent symbol pairs over all words, each
    occurrence weighted by how often the word occurs;
  - repeatedly take the pair with the highest count, ties broken by the lowest pair: (left bytes,
    right bytes) compared lexicographically as byte strings; replace its occurrences in every word
    (left to right, non-overlapping) by the merged symbol; if the merged bytes are not yet a token
    they become the next rank (if they already are one, e.g. "a"+"bc" after "ab"+"c", the words
    are still merged but no rank is added);
  - stop after N new ranks (an error if the corpus runs out of pairs first).

Special tokens: Mistral's v13 list in Mistral's order (ranks 0..23, all control tokens);
default_num_special_tokens is 100, so ids 24..99 are the <SPECIAL_i> fillers (not listed).
config.default_vocab_size = 100 + 256 + N, num_vocab_tokens = 256 + N, version "v13".
token_str is the token's UTF-8 text, or null where its bytes are not valid UTF-8.

The output depends only on CORPUS and N (same bytes on every run and machine). One summary line
goes to stderr. Debian packages only: python3 and python3-regex.
"""
import argparse
import base64
import collections
import heapq
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle"))
import regex  # noqa: E402

from tekken_encode import translate_pattern  # noqa: E402

# The pre-tokenizer pattern of Mistral's v7+ tekken files (Mistral Nemo, Devstral).
TEKKEN_PATTERN = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"
    r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

SPECIAL_TOKENS = [
    "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
    "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]",
    "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
    "[TOOL_CONTENT]", "[ARGS]", "[CALL_ID]", "[THINK]", "[/THINK]",
]
NUM_SPECIAL = 100
TOKENIZER_VERSION = "v13"


def strings_of(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_of(v)


def corpus_words(path, pattern):
    """Counter of piece bytes over every string value of every record of the JSONL corpus."""
    counts = collections.Counter()
    records = 0
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                sys.exit(f"make_tekken_fixture.py: {path}:{lineno}: {e}")
            records += 1
            for text in strings_of(record):
                # Same fix-up as the encoder (tiktoken) for lone surrogates from JSON escapes.
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
                for m in pattern.finditer(text):
                    counts[m.group(0).encode("utf-8")] += 1
    return counts, records


def train(word_counts, merges):
    """BPE training; returns the list of new token bytes, in rank order, and the duplicate count."""
    words = []  # [symbols (list of bytes), frequency], in sorted order for determinism
    for piece in sorted(word_counts):
        words.append([[piece[i:i + 1] for i in range(len(piece))], word_counts[piece]])

    pair_count = collections.defaultdict(int)
    pair_words = collections.defaultdict(set)
    for w, (symbols, freq) in enumerate(words):
        for a, b in zip(symbols, symbols[1:]):
            pair_count[(a, b)] += freq
            pair_words[(a, b)].add(w)

    heap = [(-c, a, b) for (a, b), c in pair_count.items()]
    heapq.heapify(heap)

    known = {bytes([i]) for i in range(256)}
    new_tokens = []
    duplicates = 0
    while len(new_tokens) < merges:
        # Highest count, then lowest (left, right); entries whose count changed are stale.
        while heap:
            neg, a, b = heap[0]
            if pair_count.get((a, b), 0) == -neg and -neg > 0:
                break
            heapq.heappop(heap)
        if not heap:
            sys.exit(f"make_tekken_fixture.py: the corpus has no more pairs after "
                     f"{len(new_tokens)} merges (asked for {merges})")
        _, a, b = heapq.heappop(heap)
        merged = a + b
        if merged in known:
            duplicates += 1
        else:
            known.add(merged)
            new_tokens.append(merged)

        changed = collections.defaultdict(int)
        for w in sorted(pair_words.pop((a, b))):
            symbols, freq = words[w]
            for x, y in zip(symbols, symbols[1:]):
                changed[(x, y)] -= freq
            out = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[w][0] = out
            for x, y in zip(out, out[1:]):
                changed[(x, y)] += freq
                pair_words[(x, y)].add(w)
        for pair, delta in changed.items():
            if delta == 0:
                continue
            count = pair_count[pair] + delta
            if count > 0:
                pair_count[pair] = count
                heapq.heappush(heap, (-count, pair[0], pair[1]))
            else:
                pair_count.pop(pair, None)
                pair_words.pop(pair, None)
        pair_count.pop((a, b), None)
    return new_tokens, duplicates


def token_entry(rank, b):
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return {"rank": rank, "token_bytes": base64.b64encode(b).decode("ascii"), "token_str": text}


def write_fixture(path, tokens):
    config = {
        "pattern": TEKKEN_PATTERN,
        "num_vocab_tokens": len(tokens),
        "default_vocab_size": NUM_SPECIAL + len(tokens),
        "default_num_special_tokens": NUM_SPECIAL,
        "version": TOKENIZER_VERSION,
    }
    dump = lambda x: json.dumps(x, ensure_ascii=False)  # noqa: E731
    lines = ["{", '  "config": ' + dump(config) + ",", '  "vocab": [']
    for rank, b in enumerate(tokens):
        lines.append("    " + dump(token_entry(rank, b)) + ("," if rank + 1 < len(tokens) else ""))
    lines.append("  ],")
    lines.append('  "special_tokens": [')
    for rank, name in enumerate(SPECIAL_TOKENS):
        entry = {"rank": rank, "token_str": name, "is_control": True}
        lines.append("    " + dump(entry) + ("," if rank + 1 < len(SPECIAL_TOKENS) else ""))
    lines.append("  ],")
    lines.append('  "version": 1,')
    lines.append('  "type": "Tekken"')
    lines.append("}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="JSONL corpus (every string value of every record is text)")
    parser.add_argument("out", help="tekken.json to write (overwritten)")
    parser.add_argument("--merges", type=int, required=True, help="number of learned tokens (N)")
    args = parser.parse_args()
    if args.merges < 0:
        parser.error("--merges must be >= 0")

    pattern = regex.compile(translate_pattern(TEKKEN_PATTERN))
    word_counts, records = corpus_words(args.corpus, pattern)
    new_tokens, duplicates = train(word_counts, args.merges)
    tokens = [bytes([i]) for i in range(256)] + new_tokens
    size = write_fixture(args.out, tokens)
    print(f"make_tekken_fixture.py: {records} records, {sum(word_counts.values())} pieces "
          f"({len(word_counts)} distinct), {len(new_tokens)} merges "
          f"({duplicates} merges of existing tokens skipped), {size} bytes -> {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
