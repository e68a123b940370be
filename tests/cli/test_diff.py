"""`chatfmt stats` and `chatfmt diff` on the real data, against a plain-Python model of the same
definitions.

The model reads the records chatfmt has parsed (`chatfmt convert --to openai --no-tools`: calls and
results as structure, so the model needs no parser of its own) and the raw lines (duplicates, call
encodings by their tags), and computes every figure and the matching from the definitions in
docs/cli.md: unchanged = the same conversation, encodings and tools in the same split; moved = the
same in another split; changed = the same system prompt and first user prompt, other content; the
rest added or removed. Records are matched greedily in file order, the same split first.

Run by CTest with CHATFMT, CHATFMT_ROOT and CHATFMT_PHASE28 (the next version, bundled in
tests/data/phase28_merged) in the environment.
"""
import collections
import json

import jsonschema

from on_terminal import output_on_terminal
import os
import shutil
import subprocess
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PHASE27 = os.path.join(ROOT, "data", "samples")
PHASE28 = os.environ.get("CHATFMT_PHASE28", "")
PARTS = ["system", "user", "assistant_text", "calls", "results", "tools", "encoding"]
SCHEMAS = os.path.join(ROOT, "schemas")


def validate(document, schema_name):
    """Against schemas/SCHEMA_NAME; the diff schema's references into the stats schema are bundled
    into one document first (Debian's jsonschema 4.10 does not resolve relative ids)."""
    with open(os.path.join(SCHEMAS, "stats-report.schema.json"), encoding="utf-8") as f:
        stats_text = f.read()
    with open(os.path.join(SCHEMAS, schema_name), encoding="utf-8") as f:
        schema = json.load(f)
    if schema_name != "stats-report.schema.json":
        stats_defs = json.loads(stats_text.replace('"#/$defs/', '"#/$defs/stats_'))["$defs"]
        schema = json.loads(json.dumps(schema).replace('"stats-report.schema.json#/$defs/', '"#/$defs/stats_'))
        schema["$defs"].update({"stats_" + name: value for name, value in stats_defs.items()})
    schema.pop("$id")  # a name, not a location: 4.10 would join it to itself to resolve "#/..."
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def run_json(*args):
    result = subprocess.run([CHATFMT, *args, "--format", "json", "-q"], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"chatfmt {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


def split_of(name):
    stem = os.path.splitext(name)[0]
    for split in ("train", "valid", "test"):
        if stem.startswith(split):
            return split
    return name


def encodings_of(record):
    """The call and result encodings by their tags, as written in the raw record."""
    found = set()
    for m in record["messages"]:
        text = m.get("content") or ""
        if m["role"] == "assistant" and "<tool_call>" in text and "<function=" in text:
            found.add("code-mode-xml")
        if m["role"] == "assistant" and "```json" in text:
            found.add("json-in-fence")
        if m["role"] == "user" and "<tool_response>" in text:
            found.add("tool-response-block")
    return frozenset(found)


class Record:
    def __init__(self, split, line, raw, parsed):
        self.split, self.line = split, line
        messages = parsed["messages"]

        def texts(role):
            return tuple(m.get("content") or "" for m in messages if m["role"] == role)

        calls = tuple((c["function"]["name"], c["function"]["arguments"])
                      for m in messages for c in m.get("tool_calls") or [])
        self.system = texts("system")
        self.first_user = next((m["content"] for m in messages if m["role"] == "user"), None)
        assistant = tuple(m.get("content") or "" for m in messages if m["role"] == "assistant")
        self.parts = {
            "system": self.system,
            "user": texts("user"),
            "assistant_text": tuple(t for t in assistant if t),
            "calls": calls,
            "results": texts("tool"),
            "tools": json.dumps(parsed.get("tools")) if parsed.get("tools") else (),
            "encoding": encodings_of(raw),
        }
        self.conversation = tuple((m["role"], m.get("content") or "",
                                   tuple((c["function"]["name"], c["function"]["arguments"])
                                         for c in m.get("tool_calls") or [])) for m in messages)
        self.identity = (self.conversation, self.parts["encoding"], self.parts["tools"])
        self.key = (self.system, self.first_user) if self.first_user is not None else None
        self.raw_line = raw
        self.parsed = parsed


def load(dataset, tmp):
    """The readable records of a dataset directory, in file order, parsed by chatfmt."""
    out = os.path.join(tmp, os.path.basename(dataset.rstrip("/")) + "-openai")
    subprocess.run([CHATFMT, "convert", dataset, "-o", out, "--to", "openai", "--no-tools", "-q"],
                   capture_output=True, check=False)
    rejects = collections.defaultdict(set)
    with open(out + ".rejects.jsonl", encoding="utf-8") as f:
        for line in f:
            reject = json.loads(line)
            rejects[os.path.basename(reject["path"])].add(reject["line"])
    records, lines = [], {}
    for name in sorted(n for n in os.listdir(dataset) if n.endswith(".jsonl")):
        with open(os.path.join(dataset, name), encoding="utf-8") as f:
            raw = [line.rstrip("\n") for line in f]
        lines[name] = raw
        with open(os.path.join(out, name), encoding="utf-8") as f:
            parsed = [json.loads(line) for line in f]
        readable = [n for n in range(1, len(raw) + 1) if n not in rejects[name]]
        assert len(readable) == len(parsed)
        for n, record in zip(readable, parsed):
            records.append(Record(split_of(name), n, json.loads(raw[n - 1]), record))
    return records, lines, rejects


def model_diff(olds, news, key=lambda r: r.key):
    matched_old, matched_new = set(), {}
    counts = collections.Counter()
    parts = collections.Counter()

    def match(hash_of, on_match):
        by_hash = collections.defaultdict(list)
        for k, o in enumerate(olds):
            if k not in matched_old and hash_of(o) is not None:
                by_hash[hash_of(o)].append(k)
        for same_split in (True, False):
            for n, new in enumerate(news):
                if n in matched_new or hash_of(new) is None:
                    continue
                for k in by_hash.get(hash_of(new), []):
                    if k in matched_old or (same_split and olds[k].split != new.split):
                        continue
                    matched_old.add(k)
                    matched_new[n] = k
                    on_match(olds[k], new)
                    break

    def same_record(o, n):
        counts["unchanged" if o.split == n.split else "moved"] += 1

    def changed(o, n):
        counts["changed"] += 1
        for part in PARTS:
            if o.parts[part] != n.parts[part]:
                parts[part] += 1

    match(lambda r: r.identity, same_record)
    match(key, changed)
    counts["added"] = sum(1 for n in range(len(news)) if n not in matched_new)
    counts["removed"] = sum(1 for k in range(len(olds)) if k not in matched_old)
    return counts, parts


@unittest.skipUnless(PHASE28, "CHATFMT_PHASE28 (tests/data/phase28_merged) not given")
class Phase27To28(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatfmt-diff-")
        cls.olds, cls.old_lines, cls.old_rejects = load(PHASE27, cls.tmp)
        cls.news, cls.new_lines, _ = load(PHASE28, cls.tmp)
        cls.report = run_json("diff", PHASE27, PHASE28)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_report_is_what_its_schema_says(self):
        validate(self.report, "diff-report.schema.json")
        with self.assertRaises(jsonschema.ValidationError):  # the schema holds the report to it
            validate(dict(self.report, records=dict(self.report["records"], copied=1)), "diff-report.schema.json")

    def test_per_split_record_counts_of_both_versions(self):
        flows = {f["split"]: f for f in self.report["splits"]}
        for name, lines in self.old_lines.items():
            self.assertEqual(flows[split_of(name)]["old_records"], len(lines))
        for name, lines in self.new_lines.items():
            self.assertEqual(flows[split_of(name)]["new_records"], len(lines))
        self.assertEqual(flows["train"]["old_unreadable"], 1)  # train.jsonl:86, the bad call

    def test_matching_and_changed_parts_are_the_models(self):
        counts, parts = model_diff(self.olds, self.news)
        self.assertEqual(self.report["records"], {k: counts[k] for k in
                                                  ("unchanged", "moved", "changed", "added", "removed")})
        self.assertEqual(self.report["changed_parts"], {p: parts[p] for p in PARTS})
        self.assertGreater(counts["changed"], 300)  # the comparison has teeth

    def test_the_other_keys_match_as_the_model_does(self):
        keys = {
            "first-user": lambda r: r.first_user,
            # The same conversation, in another encoding or with another tool list.
            "content": lambda r: r.conversation,
        }
        for name, key in keys.items():
            with self.subTest(key=name):
                report = run_json("diff", PHASE27, PHASE28, "--key", name)
                counts, parts = model_diff(self.olds, self.news, key)
                self.assertEqual(report["key"], name)
                self.assertEqual(report["records"], {k: counts[k] for k in
                                                     ("unchanged", "moved", "changed", "added", "removed")})
                self.assertEqual(report["changed_parts"], {p: parts[p] for p in PARTS})

    def test_the_first_sentence_says_what_phase_28_mostly_did(self):
        # The model's own reading: of the changed records, how many kept calls and results and
        # lost the text before their calls.
        counts, _ = model_diff(self.olds, self.news)
        summary = self.report["summary"]
        self.assertTrue(summary.startswith("phase28_merged mostly changed records of "), summary)
        self.assertIn(f"{counts['changed']} of its 1104 records changed", summary)
        self.assertIn("lost their assistant text before a tool call; calls and results unchanged", summary)
        kind, records = self.report["change_kinds"][0]["change"], self.report["change_kinds"][0]["records"]
        self.assertIn(f"{records} of them {kind}", summary)

    def test_the_example_shows_only_the_changed_part(self):
        example = self.report["examples"][0]
        self.assertEqual(example["part"], "assistant_text")
        # The records the example names, read back.
        before = next(r for r in self.olds if r.line == example["before"]["line"] and
                      example["before"]["path"].endswith(r.split + ".jsonl"))
        after = next(r for r in self.news if r.line == example["after"]["line"] and
                     example["after"]["path"].endswith(r.split + ".jsonl"))
        self.assertEqual(before.key, after.key)
        self.assertNotEqual(before.parts["assistant_text"], after.parts["assistant_text"])
        self.assertEqual(before.parts["calls"], after.parts["calls"])

    def test_tools_and_encodings_that_disappeared(self):
        old_tools = {c[0] for r in self.olds for c in r.parts["calls"]}
        new_tools = {c[0] for r in self.news for c in r.parts["calls"]}
        self.assertEqual(self.report["tools"], {"added": sorted(new_tools - old_tools),
                                                "removed": sorted(old_tools - new_tools)})
        old_enc = set().union(*(r.parts["encoding"] for r in self.olds))
        new_enc = set().union(*(r.parts["encoding"] for r in self.news))
        self.assertEqual(self.report["encodings"], {"added": sorted(new_enc - old_enc),
                                                    "removed": sorted(old_enc - new_enc)})

    def test_colour_on_a_terminal_only_and_never_with_no_color(self):
        piped = subprocess.run([CHATFMT, "diff", PHASE27, PHASE28, "-q"], capture_output=True, text=True).stdout
        self.assertNotIn("\033[", piped)

        def on_terminal(env):
            return output_on_terminal([CHATFMT, "diff", PHASE27, PHASE28, "-q"], env)

        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        self.assertIn("\033[1mphase28_merged mostly changed", on_terminal(env))
        self.assertNotIn("\033[", on_terminal(dict(env, NO_COLOR="1")))

    def test_the_same_report_for_any_thread_count(self):
        one = subprocess.run([CHATFMT, "diff", PHASE27, PHASE28, "--format", "json", "--threads", "1"],
                             capture_output=True, text=True).stdout
        two = subprocess.run([CHATFMT, "diff", PHASE27, PHASE28, "--format", "json", "--threads", "2"],
                             capture_output=True, text=True).stdout
        self.assertEqual(one, two)


class StatsOnPhase27(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatfmt-stats-")
        cls.records, cls.lines, cls.rejects = load(PHASE27, cls.tmp)
        cls.report = run_json("stats", PHASE27)["datasets"][0]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_report_is_what_its_schema_says(self):
        validate({"datasets": [self.report]}, "stats-report.schema.json")

    def test_each_split_is_what_python_counts(self):
        for split in self.report["splits"]:
            name = os.path.basename(split["path"])
            records = [r for r in self.records if r.split == split_of(name)]
            roles = collections.Counter(m["role"] for r in records for m in r.parsed["messages"])
            tools = collections.Counter(c[0] for r in records for c in r.parts["calls"])
            stripped = [line.rstrip(" \t\r") for n, line in enumerate(self.lines[name], 1)
                        if n not in self.rejects[name]]
            with self.subTest(split=name):
                self.assertEqual(split["records"], len(self.lines[name]))
                self.assertEqual(split["unreadable"], len(self.rejects[name]))
                self.assertEqual(split["messages_by_role"], dict(roles))
                self.assertEqual(split["calls_by_tool"], dict(tools))
                self.assertEqual(split["tool_results"], roles["tool"])
                self.assertEqual(split["records_with_calls"], sum(1 for r in records if r.parts["calls"]))
                self.assertEqual(split["distinct_system_prompts"], len({r.system for r in records if r.system}))
                self.assertEqual(split["duplicates"], len(stripped) - len(set(stripped)))
                encodings = collections.Counter(e for r in records for e in r.parts["encoding"])
                self.assertEqual(split["records_by_encoding"], dict(encodings))
                turns = sorted(len([m for m in r.parsed["messages"] if m["role"] != "system"]) for r in records)
                self.assertEqual((split["turns"]["min"], split["turns"]["max"]), (turns[0], turns[-1]))
                self.assertEqual(split["turns"]["p50"], turns[(len(turns) + 1) // 2 - 1])

    def test_token_lengths_are_what_chatfmt_tokens_counts(self):
        v7 = os.path.join(ROOT, "tests", "reference", "mistral-common", "tokenizers",
                          "mistral_instruct_tokenizer_241114.model.v7")
        report = run_json("stats", PHASE27, "--tokenizer", v7, "--to", "mistral-v7")["datasets"][0]["total"]
        counted = subprocess.run([CHATFMT, "tokens", PHASE27, "--tokenizer", v7, "--to", "mistral-v7", "--json"],
                                 capture_output=True, text=True)
        counts = json.loads(counted.stdout)["counts"]
        self.assertEqual((report["tokens"]["count"], report["tokens"]["total"], report["tokens"]["min"],
                          report["tokens"]["p50"], report["tokens"]["max"]),
                         (counts["records"], counts["tokens"], counts["min"], counts["median"], counts["max"]))
        self.assertIsNone(self.report["total"]["tokens"])  # no --tokenizer, no token figures

    def test_leakage_is_the_held_out_conversations_also_in_train(self):
        def loose(record):
            return tuple((m["role"], " ".join((m.get("content") or "").split()),
                          tuple((c["function"]["name"], c["function"]["arguments"]) for c in m.get("tool_calls") or []))
                         for m in record.parsed["messages"])
        train = {loose(r) for r in self.records if r.split == "train"}
        leaked = sum(1 for r in self.records if r.split == "valid" and loose(r) in train)
        self.assertEqual(self.report["leakage"]["conversations"], leaked)
        self.assertEqual(leaked, 13)  # lint's split-leakage finds the same 13


class MovedBetweenSplits(unittest.TestCase):
    def test_valid_records_put_into_train_are_moved_not_added(self):
        tmp = tempfile.mkdtemp(prefix="chatfmt-diff-moved-")
        try:
            new = os.path.join(tmp, "new")
            os.mkdir(new)
            with open(os.path.join(PHASE27, "valid.jsonl"), encoding="utf-8") as f:
                valid = f.read().splitlines(keepends=True)
            with open(os.path.join(PHASE27, "train.jsonl"), encoding="utf-8") as f:
                train = f.read().splitlines(keepends=True)
            # Five valid records no other record repeats go into train.
            counts = collections.Counter(train + valid)
            movers = [line for line in valid if counts[line] == 1][:5]
            with open(os.path.join(new, "train.jsonl"), "w", encoding="utf-8") as f:
                f.writelines(train + movers)
            with open(os.path.join(new, "valid.jsonl"), "w", encoding="utf-8") as f:
                f.writelines(line for line in valid if line not in movers)
            report = run_json("diff", PHASE27, new)
            self.assertEqual(report["records"], {"unchanged": 1098, "moved": 5, "changed": 0, "added": 0,
                                                 "removed": 0})
            flows = {f["split"]: f for f in report["splits"]}
            self.assertEqual((flows["valid"]["moved_out"], flows["train"]["moved_in"]), (5, 5))
            self.assertTrue(report["summary"].startswith("new mostly moved records of samples between splits"),
                            report["summary"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
