"""`chatfmt lint --template FILE.jinja`: template drift against any chat template file, rendered by
Python's jinja2 as transformers does.

The official templates' files must find exactly what chatfmt's own renderings of them find (the
same records, the same first differing bytes, the same summary) on the real data; and every way it
can fail says so with advice that works.

Run by CTest with CHATFMT (the binary), CHATFMT_ROOT (the repository) and optionally
CHATFMT_PHASE28 (the next dataset version, tests/data/phase28_merged) in the environment.
"""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SAMPLES = os.path.join(ROOT, "data", "samples")
PHASE28 = os.environ.get("CHATFMT_PHASE28", "")
QWEN = os.path.join(ROOT, "tests", "reference", "qwen3-coder", "chat_template.jinja")
MISTRAL = os.path.join(ROOT, "tests", "reference", "mistral-common", "chat_templates")


def lint(*args, env=None):
    return subprocess.run([CHATFMT, "lint", *args, "-q"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


def drift_report(dataset, template, *extra):
    result = lint(dataset, "--select", "template-drift", "--template", template, "--format", "json", *extra)
    if result.returncode not in (0, 1):
        raise AssertionError(f"lint --template {template} exited {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


def comparable(report, template_name):
    """Findings and notes with the template's name taken out, and each message up to its advice
    (which differs by design: chatfmt's own templates can rewrite the record, a file cannot)."""
    findings = [(f["path"], f["line"], f["record_hash"],
                 f["message"].replace(template_name, "TEMPLATE").split("served another; ")[0])
                for f in report["findings"]]
    notes = [n.replace(template_name, "TEMPLATE") for n in report["notes"]]
    return findings, notes


class OfficialTemplateFiles(unittest.TestCase):
    def assert_same_drift(self, dataset, builtin, template_file, *extra):
        ours = drift_report(dataset, builtin)
        theirs = drift_report(dataset, template_file, *extra)
        ours_findings, ours_notes = comparable(ours, builtin)
        theirs_findings, theirs_notes = comparable(theirs, os.path.basename(template_file))
        self.assertGreater(len(ours_findings), 800)  # the real data drifts: the comparison has teeth
        self.assertEqual(theirs_findings, ours_findings)
        self.assertEqual(theirs_notes, ours_notes)

    def test_qwen3_coder_on_phase27(self):
        self.assert_same_drift(SAMPLES, "qwen3-coder", QWEN)

    @unittest.skipUnless(PHASE28, "CHATFMT_PHASE28 (tests/data/phase28_merged) not given")
    def test_qwen3_coder_on_phase28(self):
        self.assert_same_drift(PHASE28, "qwen3-coder", QWEN)

    def test_mistral_v13_on_phase27(self):
        self.assert_same_drift(SAMPLES, "mistral-v13", os.path.join(MISTRAL, "v13.jinja"))

    def test_mistral_v7_takes_arguments_as_strings(self):
        v7 = os.path.join(MISTRAL, "v7.jinja")
        self.assert_same_drift(SAMPLES, "mistral-v7", v7, "--arguments", "string")
        # Given objects, v7 HTML-escapes the quotes of the arguments (a quirk of the template).
        escaped = drift_report(SAMPLES, v7)
        self.assertIn("&#", json.dumps(escaped["findings"]))


class Failures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-jinja-")
        self.dataset = os.path.join(SAMPLES, "valid.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def template(self, text, name="chat_template.jinja"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_a_missing_file_is_a_usage_error(self):
        missing = os.path.join(self.tmp, "nope.jinja")
        result = lint(self.dataset, "--template", missing)
        self.assertEqual(result.returncode, 2)
        self.assertIn(f"--template {missing}: no such file", result.stderr)

    def test_a_template_that_does_not_compile_names_its_file_and_line(self):
        path = self.template("{{ messages }}\n{% if %}\n")
        result = lint(self.dataset, "--template", path)
        self.assertEqual(result.returncode, 2)
        self.assertIn(f"the template does not compile: {path}:2:", result.stderr)

    def test_records_the_template_refuses_are_counted_not_passed(self):
        path = self.template("{{ raise_exception('only one turn, please') }}")
        report = drift_report(self.dataset, path)
        self.assertEqual(report["findings"], [])
        self.assertEqual(len(report["notes"]), 1)
        self.assertIn("refused 111 of 111 records", report["notes"][0])
        self.assertIn("valid.jsonl:1: TemplateError: only one turn, please", report["notes"][0])

    def test_bos_and_eos_come_from_the_tokenizer_config_beside_the_template(self):
        path = self.template("{{ raise_exception(bos_token + eos_token) }}")
        with open(os.path.join(self.tmp, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump({"bos_token": {"content": "<|begin|>"}, "eos_token": "<|end|>"}, f)
        self.assertIn("TemplateError: <|begin|><|end|>", drift_report(self.dataset, path)["notes"][0])

    def test_without_jinja2_the_advice_works(self):
        # Python without its site packages cannot import Debian's python3-jinja2.
        no_site = os.path.join(self.tmp, "python-without-site")
        with open(no_site, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n')
        os.chmod(no_site, stat.S_IRWXU)
        result = lint(self.dataset, "--template", QWEN, env={"CHATFMT_PYTHON": no_site})
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot import; install python3 and python3-jinja2 (tools/setup.sh does), or set "
                      "CHATFMT_PYTHON", result.stderr)
        missing = lint(self.dataset, "--template", QWEN, env={"CHATFMT_PYTHON": os.path.join(self.tmp, "none")})
        self.assertEqual(missing.returncode, 2)
        self.assertIn("cannot be run", missing.stderr)
        fixed = lint(self.dataset, "--template", QWEN, env={"CHATFMT_PYTHON": "/usr/bin/python3"})
        self.assertEqual(fixed.returncode, 1, fixed.stderr)

    def test_fix_needs_a_template_chatfmt_renders(self):
        result = subprocess.run([CHATFMT, "lint", SAMPLES, "--fix", "-o", os.path.join(self.tmp, "out"),
                                 "--template", QWEN, "-q"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("fix with the built-in name", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out")))

    def test_arguments_is_for_a_template_file_only(self):
        result = lint(self.dataset, "--template", "qwen3-coder", "--arguments", "string")
        self.assertEqual(result.returncode, 2)
        self.assertIn("drop --arguments or give a .jinja file", result.stderr)

    def test_no_temporary_file_is_left_behind(self):
        before = set(os.listdir(self.tmp))
        drift_report(self.dataset, QWEN)
        result = lint(self.dataset, "--template", QWEN, env={"TMPDIR": self.tmp})
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(set(os.listdir(self.tmp)), before)


if __name__ == "__main__":
    unittest.main()
