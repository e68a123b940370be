"""`chatfmt lint` on the real Phase 27 data (data/samples), its findings checked against what plain
Python finds in the same files (duplicates, split leakage, shared prompts), and the engine's
selection, determinism and length rules.

Run by CTest with CHATFMT (the binary) and CHATFMT_ROOT (the repository) in the environment.
"""
import collections
import json
import os
import random
import shutil
import subprocess
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SAMPLES = os.path.join(ROOT, "data", "samples")
SENTENCEPIECE_V7 = os.path.join(ROOT, "tests", "reference", "mistral-common", "tokenizers",
                                "mistral_instruct_tokenizer_241114.model.v7")


def lint(*args, check_codes=(0, 1)):
    result = subprocess.run([CHATFMT, "lint", *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode not in check_codes:
        raise AssertionError(f"chatfmt lint {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def lint_json(*args):
    result = lint(*args, "--format", "json", "-q")
    return result.returncode, json.loads(result.stdout)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def loose(text):
    return " ".join(text.split())


def conversation_key(line):
    """What a Punie record teaches, whitespace aside: the roles and texts of its messages (its calls
    and results are written inside the texts, so the same texts make the same conversation)."""
    return tuple((m["role"], loose(m["content"])) for m in json.loads(line)["messages"])


def first_prompt(line):
    for message in json.loads(line)["messages"]:
        if message["role"] == "user":
            return loose(message["content"])
    return None


def by_rule(report, rule):
    return [(os.path.basename(f["path"]), f["line"]) for f in report["findings"] if f["rule"] == rule]


class Phase27MustHold(unittest.TestCase):
    """Issue 9: lint finds what is really in phase27_merged, with paths and lines, and exits 1."""

    @classmethod
    def setUpClass(cls):
        cls.code, cls.report = lint_json(SAMPLES, "--template", "qwen3-coder")
        cls.train = lines_of(os.path.join(SAMPLES, "train.jsonl"))
        cls.valid = lines_of(os.path.join(SAMPLES, "valid.jsonl"))

    def test_exits_1_and_counts_every_record(self):
        self.assertEqual(self.code, 1)
        records = {os.path.basename(f["path"]): f["records"] for f in self.report["files"]}
        self.assertEqual(records, {"train.jsonl": len(self.train), "valid.jsonl": len(self.valid)})
        self.assertEqual({f["split"] for f in self.report["files"]}, {"train", "valid"})

    def test_the_call_with_invalid_json_at_its_line(self):
        self.assertEqual(by_rule(self.report, "tool-call-json"), [("train.jsonl", 86)])
        (finding,) = [f for f in self.report["findings"] if f["rule"] == "tool-call-json"]
        self.assertEqual(finding["severity"], "error")
        self.assertIn("column 42", finding["message"])

    def test_duplicates_are_the_later_copies_python_finds(self):
        expected = []
        for name, lines in (("train.jsonl", self.train), ("valid.jsonl", self.valid)):
            seen = set()
            for number, line in enumerate(lines, 1):
                if line.rstrip() in seen:
                    expected.append((name, number))
                seen.add(line.rstrip())
        self.assertGreater(len(expected), 100)
        self.assertEqual(sorted(by_rule(self.report, "duplicate-record")), sorted(expected))

    def test_split_leakage_is_every_valid_conversation_also_in_train(self):
        readable = [line for number, line in enumerate(self.train, 1) if number != 86]
        in_train = {conversation_key(line) for line in readable}
        expected = [("valid.jsonl", n) for n, line in enumerate(self.valid, 1) if conversation_key(line) in in_train]
        self.assertTrue(expected)
        self.assertEqual(sorted(by_rule(self.report, "split-leakage")), sorted(expected))
        for finding in self.report["findings"]:
            if finding["rule"] == "split-leakage":
                self.assertEqual(finding["severity"], "error")
                self.assertRegex(finding["message"], r"train\.jsonl:\d+")

    def test_shared_first_prompts_are_the_rest_of_the_valid_records_python_finds(self):
        prompts = {first_prompt(line) for number, line in enumerate(self.train, 1) if number != 86}
        leaked = set(by_rule(self.report, "split-leakage"))
        expected = [("valid.jsonl", n) for n, line in enumerate(self.valid, 1)
                    if first_prompt(line) in prompts and ("valid.jsonl", n) not in leaked]
        self.assertTrue(expected)
        self.assertEqual(sorted(by_rule(self.report, "split-shared-prompt")), sorted(expected))

    def test_mixed_encodings_name_the_rarer_encoding_and_where(self):
        (finding,) = [f for f in self.report["findings"] if f["rule"] == "mixed-encodings"]
        self.assertIn("json-in-fence", finding["message"])
        self.assertIn("code-mode-xml", finding["message"])
        self.assertRegex(finding["message"], r"train\.jsonl:\d+")

    def test_template_drift_is_reported_per_record_and_summarized(self):
        drifted = by_rule(self.report, "template-drift")
        self.assertGreater(len(drifted), 800)  # the exact set is tests/differential/run_lint_drift.py's
        (summary,) = [n for n in self.report["notes"] if n.startswith("template-drift:")]
        self.assertIn(f"{len(drifted)} of {len(self.train) + len(self.valid) - 1} records", summary)
        self.assertIn('after \\"</tool_response>\\"', json.dumps(summary))

    def test_length_rule_says_it_was_skipped(self):
        (finding,) = [f for f in self.report["findings"] if f["rule"] == "length-unchecked"]
        self.assertIn("--tokenizer", finding["message"])


class Selection(unittest.TestCase):
    def test_select_by_code_prefix_and_ignore_by_id(self):
        _, report = lint_json(SAMPLES, "--select", "Q00", "--ignore", "duplicate-record")
        rules = {f["rule"] for f in report["findings"]}
        self.assertTrue(rules)
        self.assertTrue(all(f["code"].startswith("Q00") for f in report["findings"]), rules)
        self.assertNotIn("duplicate-record", rules)

    def test_only_warnings_exit_0(self):
        code, report = lint_json(SAMPLES, "--select", "duplicate-record")
        self.assertEqual(code, 0)
        self.assertTrue(report["findings"])
        self.assertEqual(report["summary"]["errors"], 0)

    def test_an_unknown_rule_is_a_usage_error_and_the_advice_works(self):
        result = lint(SAMPLES, "--select", "X999", check_codes=(2,))
        self.assertIn("X999", result.stderr)
        self.assertIn("--list-rules", result.stderr)
        listed = lint("--list-rules", check_codes=(0,)).stdout
        self.assertIn("T001  tool-call-json", listed)

    def test_an_unknown_template_is_a_usage_error_naming_the_choices(self):
        result = lint(SAMPLES, "--template", "chatml", check_codes=(2,))
        self.assertIn("qwen3-coder", result.stderr)
        self.assertIn("mistral-v13", result.stderr)
        self.assertNotIn("openai", result.stderr)

    def test_the_same_report_for_any_thread_count(self):
        one = lint(SAMPLES, "--template", "qwen3-coder", "--format", "json", "-q", "--threads", "1").stdout
        two = lint(SAMPLES, "--template", "qwen3-coder", "--format", "json", "-q", "--threads", "2").stdout
        self.assertEqual(one, two)


class DatasetRulesOnRealRecords(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-lint-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, lines):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        return path

    def real_records(self):
        lines = lines_of(os.path.join(SAMPLES, "train.jsonl"))
        unique = list(dict.fromkeys(line for n, line in enumerate(lines, 1) if n != 86))
        calls = [line for line in unique if "<tool_call>" in line][:60]
        plain = [line for line in unique if "<tool_call>" not in line and "```json" not in line][:60]
        return calls, plain

    def test_near_duplicates_are_the_records_python_finds_alike_whitespace_aside(self):
        # Real records, each also written with its whitespace changed at random (runs doubled, spaces
        # as tabs or newlines, whitespace added at the ends) and once with a word changed: the first
        # kind are near duplicates of the original, the second not.
        _, plain = self.real_records()
        rng = random.Random(9)

        def respace(text):
            out = []
            for c in text:
                if c == " " and rng.random() < 0.3:
                    out.append(rng.choice(["  ", "\t", "\n", " \n ", "\r\n\t"]))
                else:
                    out.append(c)
            return rng.choice(["", " ", "\n"]) + "".join(out) + rng.choice(["", "  ", "\n\n"])

        lines = []
        for line in plain[:40]:
            record = json.loads(line)
            lines.append(line)
            spaced = {"messages": [dict(m, content=respace(m["content"])) for m in record["messages"]]}
            lines.append(json.dumps(spaced, ensure_ascii=False))
            reworded = {"messages": [dict(m) for m in record["messages"]]}
            reworded["messages"][-1]["content"] += " (reworded)"
            lines.append(json.dumps(reworded, ensure_ascii=False))
        rng.shuffle(lines)
        path = self.write("train.jsonl", lines)
        _, report = lint_json(path, "--select", "near-duplicate,duplicate-record")
        seen_lines, seen_keys, expected_near, expected_exact = set(), set(), [], []
        for n, line in enumerate(lines, 1):
            key = conversation_key(line)
            if line in seen_lines:
                expected_exact.append(("train.jsonl", n))
            elif key in seen_keys:
                expected_near.append(("train.jsonl", n))
            seen_lines.add(line)
            seen_keys.add(key)
        self.assertGreater(len(expected_near), 30)
        self.assertEqual(by_rule(report, "near-duplicate"), expected_near)
        self.assertEqual(by_rule(report, "duplicate-record"), expected_exact)

    def test_a_sorted_file_is_unshuffled_and_a_shuffled_one_is_not(self):
        calls, plain = self.real_records()
        sorted_path = self.write("sorted.jsonl", plain + calls)
        _, report = lint_json(sorted_path, "--select", "unshuffled")
        kinds = [f["message"] for f in report["findings"]]
        self.assertEqual(len(kinds), 2, kinds)  # both kinds, each in one half
        self.assertTrue(any("lines 7-" in message for message in kinds), kinds)
        mixed = plain + calls
        random.Random(7).shuffle(mixed)
        _, report = lint_json(self.write("shuffled.jsonl", mixed), "--select", "unshuffled")
        self.assertEqual(report["findings"], [])

    def test_system_prompt_coverage_counts_records_with_a_system_message(self):
        calls, plain = self.real_records()
        records = calls[:10] + plain[:10]
        stripped = []
        for line in records[:5]:
            record = json.loads(line)
            record["messages"] = [m for m in record["messages"] if m["role"] != "system"]
            stripped.append(json.dumps(record))
        _, report = lint_json(self.write("train.jsonl", stripped + records[5:]), "--select", "system-prompt-coverage")
        (finding,) = report["findings"]
        self.assertIn("15 of 20 records", finding["message"])
        _, report = lint_json(self.write("train.jsonl", records), "--select", "system-prompt-coverage")
        self.assertEqual(report["findings"], [])

    def test_too_long_is_what_tokens_finds_over_the_same_limit(self):
        # The real Mistral v7 SentencePiece model, the text as --to mistral-v7 renders it.
        tokenizer = os.path.join(SENTENCEPIECE_V7)
        limit = "300"
        counted = subprocess.run([CHATFMT, "tokens", os.path.join(SAMPLES, "valid.jsonl"), "--tokenizer", tokenizer,
                                  "--to", "mistral-v7", "--max-seq-length", limit, "--json"],
                                 cwd=ROOT, capture_output=True, text=True)
        self.assertIn(counted.returncode, (0, 1), counted.stderr)
        over = [(os.path.basename(r["path"]), r["line"]) for r in json.loads(counted.stdout)["counts"]["over_max_seq_length"]]
        self.assertTrue(over)
        _, report = lint_json(os.path.join(SAMPLES, "valid.jsonl"), "--tokenizer", tokenizer, "--to", "mistral-v7",
                              "--max-seq-length", limit, "--select", "L")
        self.assertEqual(by_rule(report, "too-long"), over)
        self.assertEqual(by_rule(report, "length-unchecked"), [])
        _, report = lint_json(os.path.join(SAMPLES, "valid.jsonl"), "--tokenizer", tokenizer, "--select", "L")
        self.assertEqual(len(by_rule(report, "length-unchecked")), 1)
        self.assertIn("--max-seq-length", report["findings"][0]["message"])

class BaselineAndConfig(unittest.TestCase):
    """CI fails only on new findings; a project's config changes severities and thresholds."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-lint-")
        self.data = os.path.join(self.tmp, "phase27")
        shutil.copytree(SAMPLES, self.data)
        for name in os.listdir(self.data):
            os.chmod(os.path.join(self.data, name), 0o644)
        self.baseline = os.path.join(self.tmp, "baseline.json")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def config(self, text):
        path = os.path.join(self.tmp, "lint.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_a_baseline_accepts_known_findings_by_record_not_line(self):
        written = lint(self.data, "--template", "qwen3-coder", "-q", "--write-baseline", self.baseline)
        self.assertEqual(written.returncode, 1)
        code, report = lint_json(self.data, "--template", "qwen3-coder", "--baseline", self.baseline)
        self.assertEqual((code, report["findings"]), (0, []))
        # Above line 1: a new copy of line 5 and a line that is not JSON. Every old line moves by two.
        train = os.path.join(self.data, "train.jsonl")
        lines = lines_of(train)
        with open(train, "w", encoding="utf-8") as f:
            f.write(lines[4] + "\n" + '{"messages": [}' + "\n" + "".join(line + "\n" for line in lines))
        result = lint(self.data, "--template", "qwen3-coder", "--format", "json", "-q", "--baseline", self.baseline)
        self.assertEqual(result.returncode, 1)
        new = sorted((f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"])
        # The copy is one more duplicate (at the old line 5, now 7) and one more drifting record.
        self.assertEqual(new, [("duplicate-record", 7), ("invalid-json", 2), ("template-drift", 7)])
        self.assertIn("not shown", result.stderr)
        # Removing a known duplicate leaves its baseline entry stale, and says so.
        with open(train, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for n, line in enumerate(lines, 1) if n != 86))
        result = lint(self.data, "--template", "qwen3-coder", "-q", "--baseline", self.baseline)
        self.assertEqual(result.returncode, 0)
        self.assertIn("no longer occur", result.stderr)
        self.assertIn("tool-call-json in train.jsonl", result.stderr)

    def test_a_baseline_is_never_written_over_an_input(self):
        train = os.path.join(self.data, "train.jsonl")
        with open(train, "rb") as f:
            before = f.read()
        result = lint(self.data, "-q", "--write-baseline", train, check_codes=(2,))
        self.assertIn("never writes over its input", result.stderr)
        with open(train, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_a_file_that_is_not_a_baseline_is_a_usage_error_with_advice_that_works(self):
        result = lint(self.data, "-q", "--baseline", os.path.join(self.data, "valid.jsonl"), check_codes=(2,))
        self.assertIn("--write-baseline", result.stderr)
        lint(self.data, "-q", "--write-baseline", self.baseline)
        self.assertEqual(lint(self.data, "-q", "--baseline", self.baseline).returncode, 0)

    def test_config_changes_severities_thresholds_and_excludes_files(self):
        _, before = lint_json(self.data, "--select", "Q006")
        self.assertTrue(before["findings"])
        path = self.config(json.dumps({
            "severity": {"T001": "warning", "split-leakage": "warning"},
            "thresholds": {"tool_share_min": 0.001},
            "ignore": ["Q001"],
        }))
        code, report = lint_json(self.data, "--config", path)
        rules = {f["rule"]: f["severity"] for f in report["findings"]}
        self.assertEqual(code, 0)
        self.assertEqual((rules["tool-call-json"], rules["split-leakage"]), ("warning", "warning"))
        self.assertNotIn("tool-imbalance", rules)
        self.assertNotIn("duplicate-record", rules)
        code, report = lint_json(self.data, "--config", self.config('{"exclude": ["valid*"]}'))
        self.assertEqual([os.path.basename(f["path"]) for f in report["files"]], ["train.jsonl"])

    def test_config_errors_name_the_file_and_what_to_write(self):
        cases = [
            ('{"severity": {"X001": "error"}}', "no rule 'X001'"),
            ('{"severity": {"T001": "fatal"}}', '"error", "warning" or "info"'),
            ('{"thresholds": {"tool_share": 0.1}}', "tool_share_min"),
            ('{"thresholds": {"tool_share_min": 5}}', "from 0 to 1"),
            ('{"thresholds": {"unshuffled_min_records": -3}}', "whole number"),
            ('{"selct": ["T"]}', "unknown key"),
            ('{"select": ["T",]}', "line 1, column"),
        ]
        for text, expected in cases:
            result = lint(self.data, "-q", "--config", self.config(text), check_codes=(2,))
            self.assertIn("--config", result.stderr, text)
            self.assertIn(expected, result.stderr, text)


class Leakage(unittest.TestCase):
    def test_a_tokenizer_says_which_control_strings_it_reads_as_one_control_token(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "train.jsonl")
            record = {"messages": [{"role": "user", "content": "Explain [INST] and <|im_end|> in prompts"},
                                   {"role": "assistant", "content": "They are chat markers."}]}
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
            _, report = lint_json(path, "--select", "F", "--tokenizer", SENTENCEPIECE_V7)
        (finding,) = report["findings"]
        self.assertEqual(finding["rule"], "foreign-delimiter")
        # The real Mistral v7 vocabulary: [INST] is control token 3, <|im_end|> is text to it.
        self.assertIn("'[INST]' (mistral-v3, mistral-v7, mistral-v11, mistral-v13, mistral-v15) "
                      "[mistral_instruct_tokenizer_241114.model.v7 reads it as one control token, id 3", finding["message"])
        self.assertIn("'<|im_end|>' (chatml-text, qwen3-xml) [mistral_instruct_tokenizer_241114.model.v7 reads it "
                      "as ordinary text]", finding["message"])


if __name__ == "__main__":
    unittest.main()
