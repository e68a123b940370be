"""`chatfmt lint --fix -o OUT` on the real Phase 27 data (docs/cli.md, "lint --fix").

The dataset (CHATFMT_PHASE27: ../shared/data/punie/phase27_merged where the workplace provides it,
else the bundled copy data/samples, the same bytes) is copied to a temporary directory and fixed with
--template qwen3-coder. What must hold: the copy lints clean of the rules --fix fixes (which the input
has findings of); every input record is written or in the rejects file, as the summary counts them;
records not rewritten keep their bytes; the duplicates and leaks dropped are the ones plain Python
finds; the unreadable record is rejected as convert rejects it; a rewritten record is the same
conversation (convert --to qwen3-xml writes the same text) and the official Qwen3-Coder template
renders it, as written, to what the model is served; refusals exit 2 with advice that works; and the
input directory is unchanged after every run.

Run by CTest with CHATFMT (the binary), CHATFMT_ROOT (the repository) and CHATFMT_PHASE27 set.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PHASE27 = os.environ.get("CHATFMT_PHASE27", os.path.join(ROOT, "data", "samples"))
ORACLE = os.path.join(ROOT, "tools", "oracle", "render_chat_template.py")
QWEN3_TEMPLATE = os.path.join(ROOT, "tests", "reference", "qwen3-coder", "chat_template.jinja")
TEMPLATE = "qwen3-coder"
SPLITS = ("train.jsonl", "valid.jsonl")


def run(*args, cwd):
    return subprocess.run([CHATFMT, *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)


def lint_json(path, *args, cwd):
    result = run("lint", path, "--template", TEMPLATE, "--format", "json", "-q", *args, cwd=cwd)
    if result.returncode not in (0, 1):
        raise AssertionError(f"lint {path} exited {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


def tree_digest(path):
    """Every entry below `path`: its relative name, type, mode and content."""
    digest = hashlib.sha256()
    for directory, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for name in sorted(dirs + files):
            full = os.path.join(directory, name)
            st = os.lstat(full)
            digest.update(f"{os.path.relpath(full, path)}\0{st.st_mode}\0".encode())
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def records_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def loose(text):
    return " ".join((text or "").split())


def conversation_key(line):
    """What a Punie record teaches, whitespace aside (its calls and results are written in its texts)."""
    return tuple((m["role"], loose(m["content"])) for m in json.loads(line)["messages"])


def rule_ids():
    listed = subprocess.run([CHATFMT, "lint", "--list-rules"], capture_output=True, text=True, check=True).stdout
    return {line.split()[1] for line in listed.splitlines() if line.strip()}


# The rules --fix fixes, named as the rule table names them (checked against --list-rules below).
FIXED_RULES = ("duplicate-record", "split-leakage", "template-drift")


class FixPhase27(unittest.TestCase):
    """The must-hold of the issue on the real data."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatfmt-lint-fix-")
        cls.dataset = os.path.join(cls.tmp, "phase27")
        shutil.copytree(PHASE27, cls.dataset)
        cls.digest = tree_digest(cls.dataset)
        cls.input_report = lint_json("phase27", cwd=cls.tmp)
        result = run("lint", "phase27", "--fix", "-o", "fixed", "--template", TEMPLATE, "--format", "json", "-q",
                     cwd=cls.tmp)
        cls.code, cls.stderr = result.returncode, result.stderr
        cls.summary = json.loads(result.stdout) if result.stdout else None
        cls.fixed = os.path.join(cls.tmp, "fixed")
        cls.rejects = records_of(os.path.join(cls.tmp, "fixed.rejects.jsonl"))
        cls.output_report = lint_json("fixed", cwd=cls.tmp)
        # Each written line with the input line it came from: the input's lines not in the rejects
        # file, in order (checked to pair up one to one in test_every_record_is_accounted_for).
        set_aside = {(os.path.basename(r["path"]), r["line"]) for r in cls.rejects}
        cls.inputs = {name: lines_of(os.path.join(cls.dataset, name)) for name in SPLITS}
        cls.outputs = {name: lines_of(os.path.join(cls.fixed, name)) for name in SPLITS}
        cls.kept = {name: [(n, line) for n, line in enumerate(cls.inputs[name], 1) if (name, n) not in set_aside]
                    for name in SPLITS}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def findings(self, report, rule):
        return [(os.path.basename(f["path"]), f["line"]) for f in report["findings"] if f["rule"] == rule]

    def rejects_by(self, rule):
        return [(os.path.basename(r["path"]), r["line"]) for r in self.rejects if r["rule"] == rule]

    def test_the_input_is_unchanged(self):
        self.assertEqual(tree_digest(self.dataset), self.digest)

    def test_the_copy_lints_clean_of_the_rules_fixed(self):
        self.assertIsNotNone(self.summary, self.stderr)
        self.assertLessEqual(set(FIXED_RULES), rule_ids())
        for rule in FIXED_RULES:
            self.assertTrue(self.findings(self.input_report, rule), f"the input has no {rule} finding")
            self.assertEqual(self.findings(self.output_report, rule), [], rule)
        self.assertEqual(self.output_report["summary"]["errors"], 0, self.output_report["summary"])
        # What the summary says is left is what lint says about the copy.
        self.assertEqual(self.summary["remaining"]["findings"], self.output_report["findings"])

    def test_every_record_is_accounted_for(self):
        for f in self.summary["files"]:
            name = os.path.basename(f["input"])
            self.assertEqual(f["records"], len(self.inputs[name]), name)
            self.assertEqual(f["records"], f["written"] + f["dropped"] + f["rejected"], name)
            self.assertEqual(f["written"], len(self.outputs[name]), name)
            self.assertEqual(len(self.kept[name]), len(self.outputs[name]), name)
        self.assertEqual(self.summary["records"], sum(len(lines) for lines in self.inputs.values()))
        self.assertEqual(self.summary["dropped"] + self.summary["rejected"], len(self.rejects))
        where = [(os.path.basename(r["path"]), r["line"]) for r in self.rejects]
        self.assertEqual(len(where), len(set(where)))
        for r in self.rejects:  # the record itself, as the input has it
            self.assertEqual(r["record"], self.inputs[os.path.basename(r["path"])][r["line"] - 1])
        by_rule = {}
        for r in self.rejects:
            by_rule[r["rule"]] = by_rule.get(r["rule"], 0) + 1
        by_rule["template-drift"] = self.summary["rewritten"]
        self.assertEqual(self.summary["by_rule"], by_rule)

    def test_records_not_rewritten_keep_their_bytes_and_drifting_ones_are_rewritten(self):
        drifting = set(self.findings(self.input_report, "template-drift"))
        rewritten = 0
        for name in SPLITS:
            for (n, before), after in zip(self.kept[name], self.outputs[name]):
                if (name, n) in drifting:
                    self.assertNotEqual(before, after, f"{name}:{n} drifts and was not rewritten")
                    self.assertIn('"tool_calls"', after)
                    rewritten += 1
                else:
                    self.assertEqual(before, after, f"{name}:{n} changed")
        self.assertGreater(rewritten, 800)
        self.assertEqual(rewritten, self.summary["rewritten"])

    def test_duplicates_dropped_are_the_later_copies_python_finds(self):
        expected = []
        for name in SPLITS:
            first = {}
            for n, line in enumerate(self.inputs[name], 1):
                identity = line.rstrip(" \t\r")
                if identity in first:
                    expected.append((name, n))
                first.setdefault(identity, n)
        self.assertGreater(len(expected), 100)
        self.assertEqual(sorted(self.rejects_by("duplicate-record")), sorted(expected))
        self.assertEqual(sorted(self.findings(self.input_report, "duplicate-record")), sorted(expected))
        for r in self.rejects:
            if r["rule"] == "duplicate-record":
                first_line = int(re.search(r"line (\d+)", r["reason"]).group(1))
                self.assertEqual(self.inputs[os.path.basename(r["path"])][first_line - 1], r["record"])

    def test_train_loses_exactly_the_conversations_valid_has(self):
        unreadable = {(os.path.basename(r["path"]), r["line"]) for r in self.rejects
                      if r["rule"] not in FIXED_RULES}
        valid_keys = {conversation_key(line) for line in self.inputs["valid.jsonl"]}
        duplicates = set(self.rejects_by("duplicate-record"))
        expected = [("train.jsonl", n) for n, line in enumerate(self.inputs["train.jsonl"], 1)
                    if ("train.jsonl", n) not in unreadable | duplicates and conversation_key(line) in valid_keys]
        self.assertTrue(expected)
        self.assertEqual(sorted(self.rejects_by("split-leakage")), expected)
        kept_train = {conversation_key(line) for _, line in self.kept["train.jsonl"]}
        self.assertEqual(kept_train & valid_keys, set())
        # valid keeps every record but its own later copies.
        self.assertEqual(len(self.kept["valid.jsonl"]),
                         len(self.inputs["valid.jsonl"]) - len([w for w in duplicates if w[0] == "valid.jsonl"]))

    def test_records_that_cannot_be_read_are_rejected_as_convert_rejects_them(self):
        result = run("convert", "phase27", "-o", "converted", "--to", "openai", "--no-tools", "-q", cwd=self.tmp)
        self.assertEqual(result.returncode, 1, result.stderr)
        convert_rejects = records_of(os.path.join(self.tmp, "converted.rejects.jsonl"))
        self.assertTrue(convert_rejects)
        ours = [r for r in self.rejects if r["rule"] not in FIXED_RULES]
        self.assertEqual(ours, convert_rejects)
        self.assertEqual(self.code, 1, "a rejected record waits for a person: exit 1")

    def test_rewritten_records_are_the_same_conversation(self):
        """convert --to qwen3-xml writes the same text for the copy as for the original."""
        for side in ("phase27", "fixed"):
            result = run("convert", side, "-o", f"{side}-qwen3", "--to", "qwen3-xml", "-q", cwd=self.tmp)
            self.assertIn(result.returncode, (0, 1), result.stderr)
        refused = {(os.path.basename(r["path"]), r["line"])
                   for r in records_of(os.path.join(self.tmp, "phase27-qwen3.rejects.jsonl"))}
        for name in SPLITS:
            before = iter(records_of(os.path.join(self.tmp, "phase27-qwen3", name)))
            text_of_line = {n: next(before)["text"] for n in range(1, len(self.inputs[name]) + 1)
                            if (name, n) not in refused}
            after = records_of(os.path.join(self.tmp, "fixed-qwen3", name))
            self.assertEqual(len(after), len(self.kept[name]))
            for (n, _), record in zip(self.kept[name], after):
                self.assertEqual(record["text"], text_of_line[n], f"{name}:{n}")

    def test_the_official_template_renders_the_copy_as_the_model_is_served(self):
        """What a trainer renders from the copy (its messages as written, through the official
        template) is what the template renders for the original conversation parsed."""
        result = run("convert", "phase27", "-o", "parsed", "--to", "openai", "--no-tools", "-q", cwd=self.tmp)
        refused = {(os.path.basename(r["path"]), r["line"])
                   for r in records_of(os.path.join(self.tmp, "parsed.rejects.jsonl"))}
        for name in SPLITS:
            parsed = iter(lines_of(os.path.join(self.tmp, "parsed", name)))
            parsed_of_line = {n: next(parsed) for n in range(1, len(self.inputs[name]) + 1) if (name, n) not in refused}
            served = self.render([parsed_of_line[n] for n, _ in self.kept[name]], "object")
            trained = self.render(self.outputs[name], "string")
            self.assertEqual(len(trained), len(self.kept[name]))
            for (n, _), a, b in zip(self.kept[name], trained, served):
                self.assertIn("text", a, f"{name}:{n}: {a}")
                self.assertEqual(a, b, f"{name}:{n}")

    def render(self, lines, arguments):
        result = subprocess.run([sys.executable, ORACLE, QWEN3_TEMPLATE, "--arguments", arguments],
                                input="".join(line + "\n" for line in lines), capture_output=True, text=True,
                                check=True)
        return [json.loads(line) for line in result.stdout.splitlines()]

    def test_the_text_summary_says_what_changed_per_rule(self):
        result = run("lint", "phase27", "--fix", "-o", "fixed-text", "--template", TEMPLATE, "-q", cwd=self.tmp)
        self.assertEqual(result.returncode, self.code, result.stderr)
        s = self.summary
        self.assertIn(f"total: {s['records']} records = {s['written']} written + {s['dropped']} dropped + "
                      f"{s['rejected']} rejected", result.stdout)
        for rule, n in s["by_rule"].items():
            self.assertRegex(result.stdout, rf"\n  {re.escape(rule)}: {n} \w")
        for name in SPLITS:  # the same bytes as the JSON run wrote
            with open(os.path.join(self.fixed, name), "rb") as a, open(os.path.join(self.tmp, "fixed-text", name),
                                                                        "rb") as b:
                self.assertEqual(a.read(), b.read())
        self.assertEqual(tree_digest(self.dataset), self.digest)

    def test_the_same_copy_for_any_thread_count(self):
        for threads in ("1", "2"):
            result = run("lint", "phase27", "--fix", "-o", f"fixed-{threads}", "--template", TEMPLATE, "-q",
                         "--threads", threads, cwd=self.tmp)
            self.assertEqual(result.returncode, self.code, result.stderr)
        for name in SPLITS + ("",):
            one = os.path.join(self.tmp, "fixed-1" + ("/" + name if name else ".rejects.jsonl"))
            two = os.path.join(self.tmp, "fixed-2" + ("/" + name if name else ".rejects.jsonl"))
            with open(one, "rb") as a, open(two, "rb") as b:
                self.assertEqual(a.read(), b.read(), name)


class OnACopyOfPhase27(unittest.TestCase):
    """Each test gets its own copy of the dataset, which must be unchanged after it."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-lint-fix-")
        self.dataset = os.path.join(self.tmp, "phase27")
        shutil.copytree(PHASE27, self.dataset)
        self.digest = tree_digest(self.dataset)

    def tearDown(self):
        self.assertEqual(tree_digest(self.dataset), self.digest)
        shutil.rmtree(self.tmp, ignore_errors=True)


class FixChoices(OnACopyOfPhase27):
    """A file fixed into a file, drift left alone without --template, and the exit codes."""

    def test_a_file_is_fixed_into_a_file_and_a_clean_copy_exits_0(self):
        # valid.jsonl alone: duplicates and drift, every record readable, no other split to leak into.
        result = run("lint", "phase27/valid.jsonl", "--fix", "-o", "valid.fixed.jsonl", "--template", TEMPLATE,
                     "--format", "json", "-q", cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["rejected"], 0)
        self.assertGreater(summary["dropped"], 0)
        self.assertGreater(summary["rewritten"], 0)
        self.assertEqual(len(lines_of(os.path.join(self.tmp, "valid.fixed.jsonl"))), summary["written"])
        self.assertEqual(len(records_of(os.path.join(self.tmp, "valid.fixed.rejects.jsonl"))), summary["dropped"])
        report = lint_json("valid.fixed.jsonl", cwd=self.tmp)
        self.assertEqual(report["summary"]["errors"], 0)

    def test_without_template_drift_is_not_fixed_and_the_summary_says_so(self):
        result = run("lint", "phase27", "--fix", "-o", "fixed", "--format", "json", "-q", cwd=self.tmp)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["rewritten"], 0)
        self.assertNotIn("template-drift", summary["by_rule"])
        self.assertTrue(any("--template" in note for note in summary["notes"]), summary["notes"])
        rejected = {(os.path.basename(r["path"]), r["line"])
                    for r in records_of(os.path.join(self.tmp, "fixed.rejects.jsonl"))}
        for name in SPLITS:
            before = [line for n, line in enumerate(lines_of(os.path.join(self.dataset, name)), 1)
                      if (name, n) not in rejected]
            self.assertEqual(lines_of(os.path.join(self.tmp, "fixed", name)), before)

    def test_only_the_selected_rules_are_fixed(self):
        result = run("lint", "phase27", "--fix", "-o", "fixed", "--template", TEMPLATE, "--select",
                     "duplicate-record", "--format", "json", "-q", cwd=self.tmp)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        summary = json.loads(result.stdout)
        self.assertEqual(list(summary["by_rule"]), ["duplicate-record"])
        self.assertEqual(summary["rejected"], 0)  # the unreadable record's rule is not selected: kept


class Refusals(OnACopyOfPhase27):
    """Exit 2 before anything is written, the input unchanged, and the advice given works."""

    def refused(self, *args, mentions):
        before = sorted(os.listdir(self.tmp))
        result = run("lint", *args, "--template", TEMPLATE, "-q", cwd=self.tmp)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn(mentions, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(sorted(os.listdir(self.tmp)), before, "a refused run created something")
        self.assertEqual(tree_digest(self.dataset), self.digest)
        return result.stderr

    def works(self, *args):
        result = run("lint", *args, "--template", TEMPLATE, "-q", cwd=self.tmp)
        self.assertIn(result.returncode, (0, 1), result.stdout + result.stderr)
        self.assertIn("left in", result.stdout)
        self.assertEqual(tree_digest(self.dataset), self.digest)

    def suggested_output(self, stderr):
        return re.search(r"-o (\S+)", stderr).group(1)

    def test_output_equal_to_the_input_directory(self):
        for spelling in ("phase27", "phase27/", "./phase27", os.path.join(self.tmp, "phase27")):
            stderr = self.refused("phase27", "--fix", "-o", spelling, mentions="is the input directory")
        self.works("phase27", "--fix", "-o", self.suggested_output(stderr))
        self.assertTrue(os.path.isdir(os.path.join(self.tmp, "phase27-fixed")))

    def test_output_inside_the_input_directory(self):
        stderr = self.refused("phase27", "--fix", "-o", "phase27/fixed", mentions="inside the input directory")
        self.works("phase27", "--fix", "-o", self.suggested_output(stderr))

    def test_fix_without_output(self):
        stderr = self.refused("phase27", "--fix", mentions="-o OUT")
        self.assertIn("never changes the input", stderr)
        self.works("phase27", "--fix", "-o", "fixed")

    def test_output_without_fix(self):
        self.refused("phase27", "-o", "fixed", mentions="add --fix")
        self.works("phase27", "--fix", "-o", "fixed")

    def test_output_an_existing_input_file(self):
        self.refused("phase27", "--fix", "-o", "phase27/train.jsonl", mentions="give -o a directory")
        self.refused("phase27/train.jsonl", "--fix", "-o", "phase27/train.jsonl", mentions="write somewhere else")
        self.works("phase27", "--fix", "-o", "new-directory")
        self.works("phase27/train.jsonl", "--fix", "-o", "train.fixed.jsonl")

    def test_standard_input_or_output_and_several_datasets(self):
        self.refused("-", "--fix", "-o", "fixed", mentions="reads its input twice")
        self.refused("phase27", "--fix", "-o", "-", mentions="give -o a file or a directory")
        self.refused("phase27", "phase27/valid.jsonl", "--fix", "-o", "fixed", mentions="give one PATH")
        self.works("phase27", "--fix", "-o", "fixed")

    def test_rejects_file_an_input(self):
        self.refused("phase27", "--fix", "-o", "fixed", "--rejects", "phase27/valid.jsonl",
                     mentions="chatfmt never writes over its input")


if __name__ == "__main__":
    unittest.main()
