"""`chatfmt lint`'s reports for machines on the real Phase 27 data (data/samples): JSON against
schemas/lint-report.schema.json, SARIF against the official SARIF 2.1.0 schema (Debian's
python3-jsonschema), JUnit read by a JUnit parser (Debian's python3-junitparser), GitHub workflow
commands parsed back; every format holds the same findings. Text: colour on a terminal only.

Run by CTest with CHATFMT (the binary) and CHATFMT_ROOT (the repository) in the environment.
"""
import collections
import json
import os
import subprocess
import tempfile
import unittest

import jsonschema
import junitparser

from on_terminal import output_on_terminal

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SAMPLES = "data/samples"
LINT_SCHEMA = os.path.join(ROOT, "schemas", "lint-report.schema.json")
SARIF_SCHEMA = os.path.join(ROOT, "tests", "reference", "sarif", "sarif-2.1.0-rtm.5.json")
ARGS = [SAMPLES, "--template", "qwen3-coder", "-q"]


def lint(*args, env=None):
    result = subprocess.run([CHATFMT, "lint", *args], cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise AssertionError(f"chatfmt lint {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def listed_rules():
    rules = []
    for line in lint("--list-rules").stdout.splitlines():
        code, rule, severity = line.split()[:3]
        rules.append((code, rule, severity))
    return rules


def parse_github(text):
    """Workflow command lines back to (command, properties, message), undoing GitHub's escaping."""
    def unescape(value, prop):
        value = value.replace("%0D", "\r").replace("%0A", "\n")
        if prop:
            value = value.replace("%3A", ":").replace("%2C", ",")
        return value.replace("%25", "%")
    parsed = []
    for line in text.splitlines():
        assert line.startswith("::"), line
        head, message = line[2:].split("::", 1)
        command, _, props = head.partition(" ")
        properties = dict(p.split("=", 1) for p in props.split(","))
        parsed.append((command, {k: unescape(v, True) for k, v in properties.items()}, unescape(message, False)))
    return parsed


class Formats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.json = json.loads(lint(*ARGS, "--format", "json").stdout)
        cls.findings = cls.json["findings"]
        cls.by_rule = collections.Counter(f["rule"] for f in cls.findings)

    def test_json_validates_and_its_rule_names_are_the_table(self):
        with open(LINT_SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator(schema).validate(self.json)
        table = {(code, rule, severity) for code, rule, severity in listed_rules()}
        for finding in self.findings:
            self.assertIn((finding["code"], finding["rule"]), {(c, r) for c, r, _ in table})
        # The schema's patterns accept every rule of the table, and refuse what is not one.
        item = schema["properties"]["findings"]["items"]
        validator = jsonschema.Draft202012Validator(item)
        sample = dict(self.findings[0])
        for code, rule, severity in table:
            validator.validate(dict(sample, code=code, rule=rule, severity=severity))
        self.assertFalse(validator.is_valid(dict(sample, code="X001")))
        self.assertFalse(validator.is_valid(dict(sample, severity="fatal")))
        self.assertEqual(self.json["summary"]["by_rule"], dict(self.by_rule))

    def test_sarif_validates_against_the_official_schema_and_holds_every_finding(self):
        sarif = json.loads(lint(*ARGS, "--format", "sarif").stdout)
        with open(SARIF_SCHEMA, encoding="utf-8") as f:
            jsonschema.Draft4Validator(json.load(f)).validate(sarif)
        (run,) = sarif["runs"]
        rules = run["tool"]["driver"]["rules"]
        codes = {code: rule for code, rule, _ in listed_rules()}
        for rule in rules:
            self.assertEqual(codes[rule["id"]], rule["name"])
            self.assertEqual(rule["properties"]["docs"], "docs/rules.md#" + rule["name"])
            self.assertIn(rule["properties"]["docs"], rule["help"]["text"])
        results = run["results"]
        self.assertEqual(len(results), len(self.findings))
        self.assertEqual(collections.Counter(codes[r["ruleId"]] for r in results), self.by_rule)
        for result, finding in zip(results, self.findings):
            self.assertEqual(rules[result["ruleIndex"]]["id"], result["ruleId"])
            location = result["locations"][0]["physicalLocation"]
            self.assertEqual(location["artifactLocation"]["uri"], finding["path"])
            if finding["line"]:
                self.assertEqual(location["region"]["startLine"], finding["line"])
            if finding["record_hash"]:
                self.assertEqual(result["partialFingerprints"]["recordHash/v1"], finding["record_hash"])

    def test_junit_is_read_by_a_junit_parser_with_a_failure_per_rule_with_errors_per_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(lint(*ARGS, "--format", "junit").stdout)
        try:
            xml = junitparser.JUnitXml.fromfile(f.name)
        finally:
            os.unlink(f.name)
        expected_failures = collections.defaultdict(set)
        for finding in self.findings:
            if finding["severity"] == "error":
                expected_failures[finding["path"]].add(finding["rule"])
        suites = list(xml)
        self.assertTrue(suites)
        for suite in suites:
            failed = set()
            for case in suite:
                if any(isinstance(r, junitparser.Failure) for r in case.result):
                    failed.add(case.name.split()[1])
            self.assertEqual(failed, expected_failures.get(suite.name, set()), suite.name)
            self.assertEqual(suite.failures, len(failed))
            self.assertEqual(suite.tests, len(list(suite)))

    def test_github_commands_parse_back_to_the_findings(self):
        parsed = parse_github(lint(*ARGS, "--format", "github").stdout)
        self.assertEqual(len(parsed), len(self.findings))
        levels = {"error": "error", "warning": "warning", "info": "notice"}
        for (command, properties, message), finding in zip(parsed, self.findings):
            self.assertEqual(command, levels[finding["severity"]])
            self.assertEqual(properties["file"], finding["path"])
            self.assertEqual(properties["title"], f"{finding['code']} {finding['rule']}")
            self.assertEqual(message, finding["message"])
            if finding["line"]:
                self.assertEqual(int(properties["line"]), finding["line"])

    def test_github_escaping_round_trips_a_path_with_commas_colons_and_percent(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a,b:c%d.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write('{"messages": []}\n')
            parsed = parse_github(lint(path, "-q", "--format", "github").stdout)
        files = {properties["file"] for _, properties, _ in parsed}
        self.assertIn(path, files)

    def test_text_has_no_colour_in_a_pipe_and_colour_on_a_terminal_unless_no_color(self):
        self.assertNotIn("\033[", lint(*ARGS).stdout)

        def on_terminal(env):
            return output_on_terminal([CHATFMT, "lint", SAMPLES, "--select", "T001", "-q"], env, cwd=ROOT)

        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        self.assertIn("\033[1;31merror", on_terminal(env))
        self.assertNotIn("\033[", on_terminal(dict(env, NO_COLOR="1")))


if __name__ == "__main__":
    unittest.main()
