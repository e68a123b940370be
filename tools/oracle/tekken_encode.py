#!/usr/bin/env python3
"""Reference encoder for Mistral tekken.json tokenizers, independent of chatfmt (docs/tekken.md).

  tekken_encode.py TEKKEN.json [--pieces] < strings.jsonl > ids.jsonl
  tekken_encode.py TEKKEN.json --selftest [--count N]

Input: one JSON string per line (blank lines are ignored). Output: one line per input line, in
order: a JSON array of token ids, or with --pieces a JSON array of the tokens' texts (special tokens
as written; vocabulary tokens as their UTF-8 text, each byte that is not part of valid UTF-8 shown
as <0xNN>, as chatfmt's Tokenizer::id_to_piece does).

Encoding, "like a trainer does" (chatfmt's Tokenizer::encode contract):
  1. The text is split on occurrences of the special tokens listed in the file (control or not;
     never the <SPECIAL_i> fillers that pad the special range): scanning left to right, at each
     position the longest special token that starts there wins; each occurrence becomes its id.
  2. Each stretch of text between them is encoded as tiktoken does: split with the file's pattern
     (with `\\s`/`\\S` replaced by the explicit Unicode White_Space class below), then each piece's
     UTF-8 bytes are one token if the whole piece is in the vocabulary, else byte-pair merged: start
     from single bytes and repeatedly merge the adjacent pair whose concatenated bytes have the
     lowest rank (ties: the leftmost), until no adjacent concatenation is in the vocabulary.
     A vocabulary token of rank r has id r + default_num_special_tokens.
  No BOS/EOS is added. Lone surrogates in the input (possible in JSON, impossible in UTF-8) are
  replaced by U+FFFD first, as tiktoken does.

Loading follows mistral-common's Tekkenizer.from_file: the inner vocabulary is the first
default_vocab_size - default_num_special_tokens entries of "vocab"; special tokens take ids
0..default_num_special_tokens-1, the listed ones at their rank, the rest "<SPECIAL_i>" fillers.

Debian packages only: python3 and python3-regex.
"""
import argparse
import base64
import heapq
import json
import random
import sys

import regex

# Unicode White_Space (Unicode 15.0), the meaning chatfmt gives `\s` in tekken patterns.
WHITESPACE_MEMBERS = r"\t\n\x0b\x0c\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# What mistral-common assumes when a file of version <= v7 has no "special_tokens".
DEPRECATED_SPECIAL_TOKENS = [
    "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
    "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]",
    "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
    "[TOOL_CONTENT]",
]
SPECIAL_FILLER = "<SPECIAL_{}>"


class TekkenError(Exception):
    pass


def translate_pattern(pattern):
    r"""The pattern with `\s` and `\S` spelled as the explicit White_Space class.

    Outside a bracket class `\s` becomes `[WS]` and `\S` becomes `[^WS]`; inside one, `\s` becomes
    the members themselves. `\S` inside a bracket class has no member spelling and is refused.
    Other escapes are copied unchanged.
    """
    out = []
    i = 0
    in_class = False
    class_start = 0  # index in `pattern` just after "[" or "[^"
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise TekkenError("pattern ends with a lone backslash")
            e = pattern[i + 1]
            if e == "s":
                out.append(WHITESPACE_MEMBERS if in_class else "[" + WHITESPACE_MEMBERS + "]")
            elif e == "S":
                if in_class:
                    raise TekkenError(r"pattern has \S inside a bracket class; not supported")
                out.append("[^" + WHITESPACE_MEMBERS + "]")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "[":
                raise TekkenError("pattern has a nested bracket class; not supported")
            if c == "]" and i != class_start:
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            class_start = j
            out.append(pattern[i:j])
            i = j
            continue
        out.append(c)
        i += 1
    if in_class:
        raise TekkenError("pattern has an unterminated bracket class")
    return "".join(out)


def _version_number(version):
    if not isinstance(version, str) or not regex.fullmatch(r"v[0-9]+", version):
        raise TekkenError(f'config.version must be "v" followed by a number, not {version!r}')
    return int(version[1:])


class Tekken:
    def __init__(self, path):
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict) or "config" not in data or "vocab" not in data:
            raise TekkenError(f"{path}: not a tekken.json (needs \"config\" and \"vocab\")")
        config = data["config"]
        for key in ("pattern", "default_vocab_size", "default_num_special_tokens", "version"):
            if key not in config:
                raise TekkenError(f"{path}: config.{key} is missing")
        version = _version_number(config["version"])
        self.pattern_source = config["pattern"]
        self.pattern = regex.compile(translate_pattern(self.pattern_source))
        self.num_special = config["default_num_special_tokens"]
        self.vocab_size = config["default_vocab_size"]
        inner = self.vocab_size - self.num_special
        vocab = data["vocab"]
        if inner < 256 or len(vocab) < inner:
            raise TekkenError(f"{path}: default_vocab_size - default_num_special_tokens = {inner}, "
                              f"but it must be >= 256 and <= len(vocab) = {len(vocab)}")

        # Special tokens: the listed ones at their rank (rank == position), then fillers.
        listed = data.get("special_tokens")
        if listed is None:
            if version > 7:
                raise TekkenError(f"{path}: no special_tokens (required after v7)")
            names = list(DEPRECATED_SPECIAL_TOKENS)
        else:
            names = []
            for position, entry in enumerate(listed):
                if entry.get("rank") != position:
                    raise TekkenError(f"{path}: special_tokens[{position}] has rank {entry.get('rank')}")
                if not isinstance(entry.get("token_str"), str) or not entry["token_str"]:
                    raise TekkenError(f"{path}: special_tokens[{position}] has no token_str")
                names.append(entry["token_str"])
        if len(set(names)) != len(names):
            raise TekkenError(f"{path}: special tokens are not unique")
        if len(names) > self.num_special:
            raise TekkenError(f"{path}: {len(names)} special tokens listed, more than "
                              f"default_num_special_tokens = {self.num_special}")
        self.matchable_specials = {name: i for i, name in enumerate(names)}
        self.specials = names + [SPECIAL_FILLER.format(i) for i in range(len(names), self.num_special)]
        if len(set(self.specials)) != self.num_special:
            raise TekkenError(f"{path}: a listed special token collides with a <SPECIAL_i> filler")

        # Inner vocabulary: bytes -> rank, for ranks 0..inner-1.
        self.ranks = {}
        self.token_bytes = []
        for i, entry in enumerate(vocab[:inner]):
            if set(entry.keys()) != {"rank", "token_bytes", "token_str"}:
                raise TekkenError(f"{path}: vocab[{i}] keys are {sorted(entry.keys())}")
            if entry["rank"] != i:
                raise TekkenError(f"{path}: vocab[{i}] has rank {entry['rank']}")
            b = base64.b64decode(entry["token_bytes"], validate=True)
            if i < 256 and b != bytes([i]):
                raise TekkenError(f"{path}: vocab[{i}] must be the single byte {i}")
            if not b:
                raise TekkenError(f"{path}: vocab[{i}] is empty")
            if b in self.ranks:
                raise TekkenError(f"{path}: vocab[{i}] repeats vocab[{self.ranks[b]}]")
            self.ranks[b] = i
            self.token_bytes.append(b)

        self._by_first = {}
        for name in sorted(self.matchable_specials, key=len, reverse=True):
            self._by_first.setdefault(name[0], []).append(name)

    # -- encoding ----------------------------------------------------------------------------

    def split_specials(self, text):
        """[(is_special, str_or_id)] in order: text chunks (never empty) and special ids."""
        parts = []
        start = 0
        i = 0
        n = len(text)
        while i < n:
            match = None
            for name in self._by_first.get(text[i], ()):  # longest first
                if text.startswith(name, i):
                    match = name
                    break
            if match is None:
                i += 1
                continue
            if i > start:
                parts.append((False, text[start:i]))
            parts.append((True, self.matchable_specials[match]))
            i += len(match)
            start = i
        if start < n:
            parts.append((False, text[start:]))
        return parts

    def encode_ordinary(self, text):
        """tiktoken's encode_ordinary on the inner vocabulary; returns ranks (not ids)."""
        # tiktoken: text that cannot be UTF-8 encoded (lone surrogates) gets them replaced by U+FFFD.
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        out = []
        for m in self.pattern.finditer(text):
            piece = m.group(0).encode("utf-8")
            rank = self.ranks.get(piece)
            if rank is not None:
                out.append(rank)
            else:
                out.extend(self.ranks[b] for b in bpe_merge(piece, self.ranks))
        return out

    def encode(self, text):
        ids = []
        for is_special, value in self.split_specials(text):
            if is_special:
                ids.append(value)
            else:
                ids.extend(r + self.num_special for r in self.encode_ordinary(value))
        return ids

    def id_to_piece(self, token_id):
        if 0 <= token_id < self.num_special:
            return self.specials[token_id]
        rank = token_id - self.num_special
        if not 0 <= rank < len(self.token_bytes):
            raise TekkenError(f"id {token_id} out of range")
        return bytes_to_piece(self.token_bytes[rank])


def bytes_to_piece(b):
    """UTF-8 text of b, each byte not part of valid UTF-8 shown as <0xNN>."""
    s = b.decode("utf-8", "surrogateescape")
    return "".join(f"<0x{ord(c) - 0xDC00:02X}>" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def bpe_merge(piece, ranks):
    """The byte-pair merge of tiktoken: the parts (bytes) of `piece` after merging.

    Repeatedly merges the adjacent pair whose concatenation has the lowest rank, the leftmost of
    equal ones, until no adjacent concatenation has a rank. Heap with lazy invalidation; equal to
    bpe_merge_simple (see --selftest).
    """
    n = len(piece)
    if n <= 1:
        return [piece]
    nxt = list(range(1, n + 1))   # start of the part after the part starting at i (n = end)
    prv = list(range(-1, n - 1))  # start of the part before
    alive = [True] * n            # i is the start of a part
    heap = []
    for i in range(n - 1):
        r = ranks.get(piece[i:i + 2])
        if r is not None:
            heap.append((r, i, i + 1, i + 2))
    heapq.heapify(heap)
    while heap:
        r, start, mid, end = heapq.heappop(heap)
        if not (alive[start] and alive[mid] and nxt[start] == mid and nxt[mid] == end):
            continue  # stale: one of the two parts has changed since
        alive[mid] = False
        nxt[start] = end
        if end < n:
            prv[end] = start
        before = prv[start]
        if before >= 0:
            rb = ranks.get(piece[before:end])
            if rb is not None:
                heapq.heappush(heap, (rb, before, start, end))
        if end < n:
            after = nxt[end]
            ra = ranks.get(piece[start:after])
            if ra is not None:
                heapq.heappush(heap, (ra, start, end, after))
    parts = []
    i = 0
    while i < n:
        parts.append(piece[i:nxt[i]])
        i = nxt[i]
    return parts


def bpe_merge_simple(piece, ranks):
    """The same merge, written as tiktoken's byte_pair_merge loop (quadratic; for --selftest)."""
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


def selftest(tok, count):
    """Heap merge == quadratic merge on random strings built from vocabulary tokens and bytes."""
    rng = random.Random(1234)
    multi = [b for b in tok.token_bytes if len(b) > 1] or [b"ab"]
    for k in range(count):
        chunks = []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.7:
                chunks.append(rng.choice(multi))
            elif roll < 0.85:
                chunks.append(bytes([rng.randrange(256)]))
            else:
                chunks.append(rng.choice(multi)[: rng.randint(1, 3)])
        piece = b"".join(chunks)
        a, b = bpe_merge(piece, tok.ranks), bpe_merge_simple(piece, tok.ranks)
        if a != b:
            print(f"selftest: mismatch on {piece!r}: {a!r} != {b!r}", file=sys.stderr)
            return 1
    print(f"selftest: {count} random pieces, heap merge == simple merge", file=sys.stderr)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tekken", help="tekken.json file")
    parser.add_argument("--pieces", action="store_true", help="print token texts instead of ids")
    parser.add_argument("--selftest", action="store_true", help="check the heap merge against the simple one")
    parser.add_argument("--count", type=int, default=2000, help="random pieces for --selftest")
    args = parser.parse_args()
    try:
        tok = Tekken(args.tekken)
    except TekkenError as e:
        sys.exit(f"tekken_encode.py: {e}")
    except (OSError, ValueError, KeyError, TypeError, regex.error) as e:
        sys.exit(f"tekken_encode.py: {args.tekken}: {e}")
    if args.selftest:
        sys.exit(selftest(tok, args.count))

    out = sys.stdout.buffer
    for lineno, line in enumerate(sys.stdin.buffer, 1):
        if not line.strip():
            continue
        try:
            text = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            sys.exit(f"tekken_encode.py: stdin line {lineno}: not a JSON string: {e}")
        if not isinstance(text, str):
            sys.exit(f"tekken_encode.py: stdin line {lineno}: not a JSON string")
        ids = tok.encode(text)
        if args.pieces:
            out.write((json.dumps([tok.id_to_piece(i) for i in ids], ensure_ascii=False) + "\n").encode("utf-8"))
        else:
            out.write((json.dumps(ids, separators=(",", ":")) + "\n").encode("ascii"))


if __name__ == "__main__":
    main()
