#!/usr/bin/env python3
"""Write the fuzzers' seed corpora and tokenizer dictionaries (docs/fuzzing.md) into OUT_DIR.

  make_fuzz_seeds.py OUT_DIR

Every seed comes from the repository's own material: the Phase 27 sample data (a few records of
each shape and tool-call encoding, and the raw texts of their messages), the edge-case fixtures,
mistral-common's reference samples, ChatML rendered from those by Qwen3-Coder's official template
(the oracle's Jinja setup), the tekken fixture and the v3/v7 SentencePiece models cut down to a
few hundred tokens, and small byte-level BPE tokenizer.json files trained here on the sample text
with Qwen3's own pre-tokenizer settings. Seeds are written at run time, not committed: they
follow the data, and the big tokenizer files never enter the repository twice.
"""
import collections
import hashlib
import importlib.util
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = [os.path.join(ROOT, "data", "samples", name) for name in ("train.jsonl", "valid.jsonl")]
EDGE_CASES = os.path.join(ROOT, "tests", "fixtures", "edge_cases.jsonl")
REFERENCE_SAMPLES = os.path.join(ROOT, "tests", "reference", "mistral-common", "samples")
QWEN_TEMPLATE = os.path.join(ROOT, "tests", "reference", "qwen3-coder", "chat_template.jinja")
TEKKEN = os.path.join(ROOT, "tests", "fixtures", "tekken", "tekken_fixture.json")
SENTENCEPIECE = os.path.join(ROOT, "tests", "reference", "mistral-common", "tokenizers")
PUNIE_TOOLS = os.path.join(ROOT, "schemas", "punie-tools.json")

# fuzz_jsonl_record's first byte picks the target and options (its low 7 bits: the targets of the
# one table x 4 option variants) and whether the input goes through process_jsonl (its top bit).
# The number of targets comes from `chatfmt formats --json` (second argument) when given.
OPTION_VARIANTS = 4
TARGET_SELECTORS = 7 * OPTION_VARIANTS
THROUGH_PIPELINE = 0x80


def dump(record):
    return json.dumps(record, ensure_ascii=False)


class Corpus:
    def __init__(self, out, target):
        self.dir = os.path.join(out, target)
        os.makedirs(self.dir, exist_ok=True)
        self.seen = set()

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        digest = hashlib.sha1(data).hexdigest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        with open(os.path.join(self.dir, f"{safe}-{digest[:8]}"), "wb") as f:
            f.write(data)


# ---- records ------------------------------------------------------------------------------------

def call_encodings(text):
    """The embedded encodings of one message text, classified as the decoder does."""
    found = set()
    for body in re.findall(r"<tool_call>(.*?)</tool_call>", text, re.S):
        body = body.strip()
        if body.startswith("<function=execute_code>"):
            found.add("code_mode_xml")
        elif body.startswith("<function="):
            found.add("direct_xml")
        elif body.startswith("{"):
            found.add("json_in_tags")
        elif body:
            found.add("bare_code")
    if "```json" in text:
        found.add("json_in_fence")
    if "<tool_response>" in text:
        found.add("tool_response_block")
    return found


def record_classes(record):
    classes = set()
    if "text" in record:
        classes.add("chatml_text")
    for message in record.get("messages", []):
        if message.get("tool_calls"):
            classes.add("structured_tool_calls")
        if message.get("role") == "tool":
            classes.add("tool_role")
        classes |= call_encodings(message.get("content") or "")
    return classes or {"plain"}


def load_records():
    """(origin, line) of every sample, edge-case and reference record."""
    records = []
    for path in SAMPLES + [EDGE_CASES]:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    records.append((f"{os.path.basename(path)}-{number}", line.rstrip("\n")))
    for name in sorted(os.listdir(REFERENCE_SAMPLES)):
        with open(os.path.join(REFERENCE_SAMPLES, name, "sample.json"), encoding="utf-8") as f:
            records.append((f"mistral-{name}", dump(json.load(f))))
    return records


def pick_records(records, per_class=4):
    """A few records of each class: the shortest ones (fast to run) and the longest (rich)."""
    by_class = collections.defaultdict(list)
    for origin, line in records:
        for cls in record_classes(json.loads(line)):
            by_class[cls].append((origin, line))
    picked = {}
    for cls, members in sorted(by_class.items()):
        members.sort(key=lambda m: len(m[1]))
        chosen = members[: per_class - 1] + members[-1:]
        for origin, line in chosen:
            picked.setdefault(origin, (cls, line))
    # Every edge case is there for a reason: all of them go in.
    for origin, line in records:
        if origin.startswith("edge_cases"):
            picked.setdefault(origin, ("edge", line))
    return picked


def jsonl_record_seeds(out, picked):
    corpus = Corpus(out, "fuzz_jsonl_record")
    for index, (origin, (cls, line)) in enumerate(sorted(picked.items())):
        corpus.add(f"{origin}-{cls}", bytes([index % TARGET_SELECTORS]) + line.encode("utf-8"))
    # The line splitting: several records, a blank line, CRLF, a BOM, no final newline.
    lines = [line for _, (_, line) in sorted(picked.items())][:3]
    corpus.add("multi-line", bytes([THROUGH_PIPELINE | 6]) + b"\xef\xbb\xbf" +
               (lines[0] + "\r\n\n  \n" + lines[1] + "\n" + lines[2]).encode())
    corpus.add("blank-and-invalid", bytes([THROUGH_PIPELINE | 19]) + b"\n\t\n{\"messages\": []}\n{not json\n\xff\xfe\n")


def embedded_call_seeds(out, picked):
    corpus = Corpus(out, "fuzz_embedded_calls")
    for origin, (cls, line) in sorted(picked.items()):
        for index, message in enumerate(json.loads(line).get("messages", [])):
            content = message.get("content") or ""
            found = call_encodings(content)
            if found:
                corpus.add(f"{origin}-m{index}-{'+'.join(sorted(found))}", content)
    # Encodings the samples have few of, written the way the docs show them.
    corpus.add("bare-code", "<tool_call>\nprint('hi')\n</tool_call>")
    corpus.add("json-in-tags-id", '<tool_call>\n{"name": "f", "arguments": "{\\"x\\": 1}", "id": "abc123XYZ"}\n</tool_call>')
    corpus.add("json-fence-call", 'Sure.\n\n```json\n{"name": "run_command", "arguments": {"command": "ls"}}\n```')
    corpus.add("json-fence-text", 'Config:\n```json\n{"debug": true}\n```\nDone.')
    corpus.add("typed-parameters",
               "<tool_call>\n<function=typed>\n<parameter=i>\n-12\n</parameter>\n<parameter=n>\n2.5e-3\n</parameter>\n"
               "<parameter=b>\nFalse\n</parameter>\n<parameter=z>\nNone\n</parameter>\n<parameter=o>\n{\"k\": [1]}\n"
               "</parameter>\n<parameter=a>\n[true, null]\n</parameter>\n<parameter=u>\n7\n</parameter>\n"
               "<parameter=s>\ntrue\n</parameter>\n</function>\n</tool_call>")
    corpus.add("parallel-calls",
               "Two.\n<tool_call>\n<function=read_file>\n<parameter=path>\na.py\n</parameter>\n</function>\n</tool_call>\n"
               "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"b.py\"}}\n</tool_call>")
    corpus.add("tool-responses", "<tool_response>\nfirst\n</tool_response>\n<tool_response>\nsecond\n</tool_response>")


# ---- ChatML -------------------------------------------------------------------------------------

def load_oracle():
    path = os.path.join(ROOT, "tools", "oracle", "render_chat_template.py")
    spec = importlib.util.spec_from_file_location("render_chat_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chatml_seeds(out, picked):
    corpus = Corpus(out, "fuzz_chatml_text")
    with open(PUNIE_TOOLS, encoding="utf-8") as f:
        punie_tools = json.load(f)
    try:
        oracle = load_oracle()
        with open(QWEN_TEMPLATE, encoding="utf-8") as f:
            template = oracle.compile_template(f.read())
    except ImportError:  # no python3-jinja2: plain ChatML of the same records, without tools sections
        oracle = template = None
    for origin, (cls, line) in sorted(picked.items()):
        record = json.loads(line)
        if "text" in record:
            corpus.add(f"{origin}-{cls}", record["text"])
            continue
        if template is None:
            corpus.add(f"{origin}-{cls}", "".join(f"<|im_start|>{m['role']}\n{m.get('content') or ''}<|im_end|>\n"
                                                  for m in record["messages"]))
            continue
        if origin.startswith(("train", "valid")) and "tools" not in record:
            record["tools"] = punie_tools  # the tools section as `--tools schemas/punie-tools.json` renders it
        try:
            messages, tools = oracle.prepare(record, "object", False)
            text = template.render(messages=messages, tools=tools, add_generation_prompt=False,
                                   bos_token="<s>", eos_token="</s>")
        except Exception:  # the template refuses some edge cases; they are JSONL seeds anyway
            continue
        corpus.add(f"{origin}-{cls}", text)


# ---- tools files and JSON -----------------------------------------------------------------------

def tools_seeds(out, picked):
    corpus = Corpus(out, "fuzz_tools_schema")
    with open(PUNIE_TOOLS, encoding="utf-8") as f:
        punie = f.read()
    corpus.add("punie-tools", punie)
    corpus.add("punie-tools-wrapped", '{"tools": ' + punie + "}")
    for origin, (cls, line) in sorted(picked.items()):
        tools = json.loads(line).get("tools")
        if tools:
            corpus.add(f"{origin}-tools", json.dumps(tools, indent=1))
    corpus.add("typed", json.dumps([{"type": "function", "function": {
        "name": "typed", "description": "  every type ",
        "parameters": {"type": "object", "required": ["i"], "additionalProperties": False, "properties": {
            "i": {"type": "integer", "minimum": 0}, "n": {"type": "number"}, "b": {"type": "boolean"},
            "z": {"type": "null"}, "o": {"type": "object"}, "a": {"type": "array", "items": {"type": "string"}},
            "u": {"type": ["integer", "null"]}, "s": {"type": ["boolean", "string"], "enum": ["x", True]}}}}},
        {"name": "execute_code", "parameters": {"type": "object", "properties": {"code": {"type": "string"}}}}]))
    # The parser's edges: numbers at the limits, escapes, surrogates, nesting, duplicate keys.
    corpus.add("json-numbers", '[0, -0, -0.0, 1e308, 5e-324, 18446744073709551615, -9223372036854775808, 1.5e-7, 1E+2]')
    corpus.add("json-strings", '["\\u00e9\\ud83d\\ude00", "\\n\\t\\"\\\\\\/", "\\u0000", "日本語", ""]')
    corpus.add("json-nesting", '{"a": [{"b": {"c": [[[], {}]]}}], "a": null, "d": true}')


# ---- tokenizer.json -----------------------------------------------------------------------------

def byte_to_char():
    """GPT-2's byte-level alphabet (what tokenizer.json vocabularies are written in)."""
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    table, shift = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + shift)
            shift += 1
    return table


QWEN3_SPLIT = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
               "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
ADDED_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<tool_response>",
                "</tool_response>"]


def train_bpe(texts, merges_wanted):
    """A tiny byte-level BPE trained on sample text: real merges, a few KB."""
    table = byte_to_char()
    words = collections.Counter()
    for text in texts:
        for piece in re.findall(r" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+", text):
            words[tuple(table[b] for b in piece.encode("utf-8"))] += 1
    merges = []
    for _ in range(merges_wanted):
        pairs = collections.Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        merged = collections.Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += count
        words = merged
    vocab = {table[b]: b for b in range(256)}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    return vocab, merges


def tokenizer_json_seeds(out, picked):
    corpus = Corpus(out, "fuzz_tokenizer_json")
    texts = []
    for origin, (cls, line) in sorted(picked.items()):
        texts += [m.get("content") or "" for m in json.loads(line).get("messages", [])]
    vocab, merges = train_bpe(texts, 120)
    added = [{"id": len(vocab) + k, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": k < 3} for k, token in enumerate(ADDED_TOKENS)]
    qwen3 = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN3_SPLIT}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": None, "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }
    corpus.add("qwen3-like", json.dumps(qwen3, ensure_ascii=False))
    # GPT-2 style: ByteLevel's own regex, prefix space, "a b" merges, ignore_merges, no normalizer.
    gpt2 = json.loads(json.dumps(qwen3))
    gpt2["normalizer"] = None
    gpt2["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "use_regex": True}
    gpt2["model"]["merges"] = [f"{a} {b}" for a, b in merges]
    gpt2["model"]["ignore_merges"] = True
    gpt2["added_tokens"] = added[:3]
    corpus.add("gpt2-like", json.dumps(gpt2, ensure_ascii=False))
    # A normalizer sequence and the fewest merges.
    small = json.loads(json.dumps(qwen3))
    small["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFC"}]}
    small["model"]["merges"] = small["model"]["merges"][:10]
    small["model"]["vocab"] = {k: v for k, v in vocab.items() if v < 256 + 10}
    small["added_tokens"] = []
    corpus.add("nfc-sequence-small", json.dumps(small, ensure_ascii=False))
    return sorted({k for k in ["model", "vocab", "merges", "added_tokens", "pre_tokenizer", "pretokenizers",
                               "normalizer", "normalizers", "type", "BPE", "ByteLevel", "Split", "Sequence", "NFC",
                               "Regex", "pattern", "behavior", "Isolated", "invert", "use_regex", "add_prefix_space",
                               "byte_fallback", "ignore_merges", "id", "content", "special", "lstrip", "rstrip",
                               "single_word", "\\s+(?!\\S)", "\\p{L}", "(?i:", "(?=", "\\S"]})


# ---- tekken.json --------------------------------------------------------------------------------

def tekken_seeds(out):
    corpus = Corpus(out, "fuzz_tekken_json")
    with open(TEKKEN, encoding="utf-8") as f:
        full = json.load(f)
    specials = full["config"]["default_num_special_tokens"]
    for size, keep_strings in ((256 + 150, False), (256 + 20, True)):
        cut = json.loads(json.dumps(full))
        cut["vocab"] = cut["vocab"][:size]
        if not keep_strings:
            for entry in cut["vocab"]:
                entry.pop("token_str", None)
        cut["config"]["num_vocab_tokens"] = size
        cut["config"]["default_vocab_size"] = specials + size
        corpus.add(f"tekken-fixture-{size}", json.dumps(cut, ensure_ascii=False))
    # Fewer special tokens than default_num_special_tokens: the rest are <SPECIAL_i> fillers.
    few = json.loads(json.dumps(full))
    few["vocab"] = [{"rank": e["rank"], "token_bytes": e["token_bytes"]} for e in few["vocab"][:256]]
    few["special_tokens"] = few["special_tokens"][:4]
    few["config"]["default_vocab_size"] = specials + 256
    corpus.add("tekken-few-specials", json.dumps(few))
    return ["config", "pattern", "default_vocab_size", "default_num_special_tokens", "num_vocab_tokens", "vocab",
            "special_tokens", "rank", "token_bytes", "token_str", "is_control", "version", "v13", "==", "\\s+(?!\\S)",
            "\\p{L}"]


# ---- SentencePiece ------------------------------------------------------------------------------

def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_varint(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def fields(data):
    """(number, wire type, raw field bytes, value) of a protobuf message, in order."""
    at = 0
    while at < len(data):
        start = at
        key, at = read_varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = read_varint(data, at)
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        elif wire == 2:
            length, at = read_varint(data, at)
            value, at = data[at:at + length], at + length
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, data[start:at], value


def small_model(data, normal_pieces, model_type=None):
    """The model with its control pieces, all byte pieces and the first `normal_pieces` others:
    a valid model of a few KB (ModelProto: 1 pieces, 2 trainer_spec, 3 normalizer_spec)."""
    pieces, kept, normal = [], 0, 0
    out = bytearray()
    for number, _, raw, value in fields(data):
        if number != 1:
            continue
        piece = {n: v for n, _, _, v in fields(value)}
        kind = piece.get(3, 1)  # 1 normal, 2 unknown, 3 control, 4 user defined, 6 byte
        if kind == 1:
            if normal >= normal_pieces:
                continue
            normal += 1
        elif kind in (3, 4) and len(pieces) > 40:
            continue  # the hundreds of [control_N] placeholders add nothing but bytes
        pieces.append(raw)
    for raw in pieces:
        out += raw
    for number, wire, raw, value in fields(data):
        if number == 2:  # trainer_spec without its symbol lists, vocab_size matching
            spec = bytearray()
            for n, w, r, v in fields(value):
                if n in (30, 31):
                    continue
                if n == 4:
                    r = varint(4 << 3) + varint(len(pieces))
                if n == 3 and model_type is not None:
                    r = varint(3 << 3) + varint(model_type)
                spec += r
            out += varint(2 << 3 | 2) + varint(len(spec)) + spec
        elif number != 1 and number != 4:  # normalizer specs kept, self-test data dropped
            out += raw
    return bytes(out)


def sentencepiece_seeds(out):
    corpus = Corpus(out, "fuzz_sentencepiece_model")
    for name in sorted(os.listdir(SENTENCEPIECE)):
        if ".model" not in name:
            continue
        with open(os.path.join(SENTENCEPIECE, name), "rb") as f:
            data = f.read()
        version = name.rsplit(".", 1)[-1]
        corpus.add(f"{version}-bpe-300", small_model(data, 300))
        corpus.add(f"{version}-bpe-20", small_model(data, 20))
        corpus.add(f"{version}-unigram-100", small_model(data, 100, model_type=1))
        corpus.add(f"{version}-truncated", data[:2048])
    return ["<unk>", "<s>", "</s>", "[INST]", "[/INST]", "<0x00>", "identity", "nmt_nfkc", "\u2581"]


# Numbers at the edges of the id and size fields (ids are 32-bit, sizes 64-bit).
EDGE_NUMBERS = ["-1", "0", "255", "256", "2147483647", "2147483648", "4294967295", "9223372036854775807", "1e9",
                "0.5"]


def write_dictionary(path, entries):
    with open(path, "w", encoding="utf-8") as f:
        for entry in entries:
            escaped = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else
                              "".join(f"\\x{b:02X}" for b in c.encode("utf-8")) for c in entry)
            f.write(f'"{escaped}"\n')


def main():
    global TARGET_SELECTORS
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    if len(sys.argv) == 3:  # a chatfmt binary: its table says how many targets there are
        import subprocess
        formats = json.loads(subprocess.run([sys.argv[2], "formats", "--json"], check=True,
                                            capture_output=True).stdout)
        TARGET_SELECTORS = len(formats["targets"]) * OPTION_VARIANTS
    picked = pick_records(load_records())
    jsonl_record_seeds(out, picked)
    embedded_call_seeds(out, picked)
    chatml_seeds(out, picked)
    tools_seeds(out, picked)
    dictionaries = os.path.join(out, "dictionaries")
    os.makedirs(dictionaries, exist_ok=True)
    write_dictionary(os.path.join(dictionaries, "fuzz_tokenizer_json.dict"), tokenizer_json_seeds(out, picked) + EDGE_NUMBERS)
    write_dictionary(os.path.join(dictionaries, "fuzz_tekken_json.dict"), tekken_seeds(out) + EDGE_NUMBERS)
    write_dictionary(os.path.join(dictionaries, "fuzz_sentencepiece_model.dict"), sentencepiece_seeds(out))
    for target in sorted(os.listdir(out)):
        if target.startswith("fuzz_"):
            files = os.listdir(os.path.join(out, target))
            size = sum(os.path.getsize(os.path.join(out, target, name)) for name in files)
            print(f"seeds {target}: {len(files)} files, {size} bytes")


if __name__ == "__main__":
    main()
