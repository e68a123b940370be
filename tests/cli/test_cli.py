"""End-to-end tests of the chatfmt command on the real Phase 27 data (data/samples).

Run by CTest with CHATFMT (the binary) and CHATFMT_ROOT (the repository) in the environment.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# Set by the asan test preset: ASan's shadow memory and quarantine make peak-RSS figures meaningless.
SANITIZED = os.environ.get("CHATFMT_SANITIZED") == "1"
SAMPLES = "data/samples"
TOOLS = "schemas/punie-tools.json"


def run(*args, stdin=None, check_codes=(0, 1)):
    result = subprocess.run([CHATFMT, *args], cwd=ROOT, input=stdin, capture_output=True)
    if result.returncode not in check_codes:
        raise AssertionError(f"chatfmt {' '.join(args)} exited {result.returncode}: {result.stderr.decode()}")
    return result


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class ChatfmtTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatfmt-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)


class MustHoldOnRealData(ChatfmtTestCase):
    """The figures issue 2 requires on phase27_merged (bundled as data/samples)."""

    def test_every_record_accounted_and_the_invalid_json_call_rejected_with_its_line(self):
        out = self.path("out")
        result = run("convert", SAMPLES, "-o", out, "--json")
        self.assertEqual(result.returncode, 1)  # some were rejected
        summary = json.loads(result.stdout)
        self.assertEqual(summary["records"], 1104)
        self.assertEqual(summary["converted"] + summary["rejected"], 1104)
        by_file = {os.path.basename(f["input"]): f for f in summary["files"]}
        self.assertEqual((by_file["train.jsonl"]["records"], by_file["valid.jsonl"]["records"]), (993, 111))
        for f in summary["files"]:
            self.assertEqual(f["records"], f["converted"] + f["rejected"])
            self.assertEqual(len(read_jsonl(f["output"])), f["converted"])
        rejects = read_jsonl(summary["rejects"])
        self.assertEqual(len(rejects), summary["rejected"])
        line86 = [r for r in rejects if r["path"].endswith("train.jsonl") and r["line"] == 86]
        self.assertEqual(len(line86), 1)
        self.assertEqual(line86[0]["rule"], "tool-call-json")
        self.assertIn("not valid JSON (line 3, column 42", line86[0]["reason"])
        self.assertIn("forbidden character after backslash", line86[0]["reason"])
        with open(os.path.join(ROOT, SAMPLES, "train.jsonl"), encoding="utf-8") as f:
            self.assertEqual(line86[0]["record"], f.read().split("\n")[85])

    def test_no_source_delimiter_survives(self):
        out = self.path("out")
        run("convert", SAMPLES, "-o", out, "--tools", TOOLS)
        texts = [r["text"] for name in ("train.jsonl", "valid.jsonl") for r in read_jsonl(os.path.join(out, name))]
        self.assertEqual(len(texts), 1103)
        # Every control string of every format but the target's own, from the one table.
        formats = json.loads(run("formats", "--json").stdout)
        devstral = next(t for t in formats["targets"] if "devstral-small-2" in t["aliases"])
        own = {c["text"] for c in devstral["control_strings"]}
        foreign = [s for s in formats["refused_control_strings"] if s not in own]
        self.assertIn("<tool_call>", foreign)
        for delimiter in foreign:
            self.assertFalse([t for t in texts if delimiter in t], delimiter)

    def test_golden_devstral_output(self):
        out = os.path.join(self.tmp, "devstral-small-2")
        run("convert", SAMPLES, "-o", out, "--tools", TOOLS)
        golden = os.path.join(ROOT, "tests", "golden")
        for name in ("train.jsonl", "valid.jsonl"):
            with open(os.path.join(out, name), "rb") as a, open(os.path.join(golden, "devstral-small-2", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        with open(out + ".rejects.jsonl", "rb") as a, open(os.path.join(golden, "devstral-small-2.rejects.jsonl"), "rb") as b:
            self.assertEqual(a.read(), b.read())


class RoundTrip(ChatfmtTestCase):
    def test_qwen3_xml_reads_back_to_the_same_text_and_the_same_mistral_text(self):
        for extra in ([], ["--tools", TOOLS]):
            first, second = self.path("q1"), self.path("q2")
            run("convert", SAMPLES, "-o", first, "--to", "qwen3-xml", *extra)
            run("convert", first, "-o", second, "--to", "qwen3-xml", *extra)
            for name in ("train.jsonl", "valid.jsonl"):
                with open(os.path.join(first, name), "rb") as a, open(os.path.join(second, name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{name} {extra}")
            self.assertEqual(os.path.getsize(second + ".rejects.jsonl"), 0)
            direct, via_qwen = self.path("direct"), self.path("via")
            run("convert", SAMPLES, "-o", direct, "--to", "mistral-v13", *extra)
            run("convert", first, "-o", via_qwen, "--to", "mistral-v13", *extra)
            for name in ("train.jsonl", "valid.jsonl"):
                with open(os.path.join(direct, name), "rb") as a, open(os.path.join(via_qwen, name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{name} {extra}")


class CommandLine(ChatfmtTestCase):
    def test_exit_codes(self):
        self.assertEqual(run("convert", f"{SAMPLES}/valid.jsonl", "-o", self.path("v.jsonl")).returncode, 0)
        self.assertEqual(run("convert", f"{SAMPLES}/train.jsonl", "-o", self.path("t.jsonl")).returncode, 1)
        for args in (["convert", SAMPLES, "-o", self.path("x"), "--to", "mistral-v99"],
                     ["convert", "no/such/file.jsonl", "-o", self.path("x.jsonl")],
                     ["convert", SAMPLES],
                     ["convert", SAMPLES, "-o", self.path("x"), "--threads", "two"],
                     ["frobnicate"]):
            result = run(*args, check_codes=(2,))
            self.assertTrue(result.stderr, args)

    def test_stdin_to_stdout_matches_file_mode(self):
        with open(os.path.join(ROOT, SAMPLES, "train.jsonl"), "rb") as f:
            data = f.read()
        piped = run("convert", "-", "-o", "-", "--rejects", self.path("r.jsonl"), stdin=data)
        run("convert", f"{SAMPLES}/train.jsonl", "-o", self.path("t.jsonl"))
        with open(self.path("t.jsonl"), "rb") as f:
            self.assertEqual(piped.stdout, f.read())
        self.assertIn(b"993 records", piped.stderr)  # the summary goes to stderr when data is on stdout
        self.assertEqual(len(read_jsonl(self.path("r.jsonl"))), 1)

    def test_default_rejects_path_and_no_progress_off_a_terminal(self):
        result = run("convert", f"{SAMPLES}/train.jsonl", "-o", self.path("t.jsonl"))
        self.assertTrue(os.path.exists(self.path("t.rejects.jsonl")))
        self.assertEqual(result.stderr, b"")
        self.assertFalse([n for n in os.listdir(self.tmp) if ".tmp-" in n])

    def test_limit_reports_that_it_stopped(self):
        result = run("convert", SAMPLES, "-o", self.path("o"), "--limit", "10", "--json")
        summary = json.loads(result.stdout)
        self.assertEqual(summary["records"], 10)
        self.assertTrue(summary["stopped_by_limit"])

    def test_v3_refuses_text_with_calls_unless_asked_to_drop_it(self):
        result = run("convert", f"{SAMPLES}/valid.jsonl", "-o", self.path("v3.jsonl"), "--to", "mistral-v3", "--json")
        summary = json.loads(result.stdout)
        self.assertGreater(summary["rejected"], 0)
        self.assertEqual(set(summary["files"][0]["rejected_by_rule"]), {"template-rule"})
        result = run("convert", f"{SAMPLES}/valid.jsonl", "-o", self.path("v3d.jsonl"), "--to", "mistral-v3",
                     "--drop-text-with-tool-calls", "--json")
        self.assertEqual(json.loads(result.stdout)["rejected"], 0)

    def test_foreign_delimiter_rejected_or_kept_on_request(self):
        record = {"messages": [{"role": "user", "content": "q"},
                               {"role": "assistant", "content": "leftover <|im_end|> marker"}]}
        src = self.path("f.jsonl")
        with open(src, "w") as f:
            f.write(json.dumps(record) + "\n")
        result = run("convert", src, "-o", self.path("f.out.jsonl"), "--json")
        self.assertEqual(json.loads(result.stdout)["files"][0]["rejected_by_rule"], {"foreign-delimiter": 1})
        result = run("convert", src, "-o", self.path("f.out.jsonl"), "--json", "--on-foreign-delimiter", "keep")
        self.assertEqual(result.returncode, 0)

    def test_detect(self):
        result = run("detect", SAMPLES, "--json")
        self.assertEqual(result.returncode, 1)  # one record cannot be read
        files = {os.path.basename(f["path"]): f for f in json.loads(result.stdout)["files"]}
        train = files["train.jsonl"]
        self.assertEqual(train["records"], 993)
        self.assertEqual(train["messages_by_encoding"]["code-mode-xml"], 773)
        self.assertEqual(train["messages_by_encoding"]["json-in-fence"], 3)
        self.assertEqual([u["line"] for u in train["unknown"]], [86])
        self.assertEqual(files["valid.jsonl"]["unknown"], [])
        text = run("detect", f"{SAMPLES}/train.jsonl").stdout.decode()
        self.assertIn("train.jsonl:86: [tool-call-json]", text)


class BoundedMemory(ChatfmtTestCase):
    """Memory does not grow with the input: 40x more data streams through in about the same RSS."""

    def peak_rss_kib(self, copies):
        script = (f"import sys\nchunk=open({os.path.join(ROOT, SAMPLES, 'train.jsonl')!r},'rb').read()\n"
                  f"for _ in range({copies}): sys.stdout.buffer.write(chunk)\n")
        feeder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
        probe = ("import resource,subprocess,sys\n"
                 "p=subprocess.run(sys.argv[1:],stdin=sys.stdin,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n"
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
        result = subprocess.run([sys.executable, "-c", probe, CHATFMT, "convert", "-", "-o", "-", "--rejects",
                                 self.path("r.jsonl"), "--threads", "2"], stdin=feeder.stdout, capture_output=True,
                                cwd=ROOT)
        feeder.stdout.close()
        feeder.wait()
        lines = result.stdout.decode().split()
        self.assertTrue(lines, result.stderr)
        return int(lines[-1])

    @unittest.skipIf(SANITIZED, "CHATFMT_SANITIZED=1: peak RSS under ASan (shadow memory, quarantine) says nothing "
                                "about chatfmt's; the release run asserts it")
    def test_rss_does_not_grow_with_input_size(self):
        small = self.peak_rss_kib(2)     # ~4 MB of input
        large = self.peak_rss_kib(80)    # ~165 MB of input
        print(f"peak RSS: {small} KiB for ~4 MB of input, {large} KiB for ~165 MB", file=sys.stderr)
        self.assertLess(large, small + 48 * 1024, f"small {small} KiB, large {large} KiB")


if __name__ == "__main__":
    unittest.main()


def run_on_terminal(*args):
    """Runs chatfmt with stderr on a pseudo-terminal (stdout a pipe); returns (exit code, stderr text)."""
    import pty
    leader, follower = pty.openpty()
    process = subprocess.Popen([CHATFMT, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.stdout.read()
    process.stdout.close()
    code = process.wait()
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


class ProgressOnATerminal(ChatfmtTestCase):
    SP_V3 = "tests/reference/mistral-common/tokenizers/mistral_instruct_tokenizer_240323.model.v3"

    def test_each_command_names_the_file_and_its_share_on_a_terminal_only(self):
        commands = {
            "convert": ["convert", SAMPLES, "-o", self.path("out"), "--threads", "1"],
            "detect": ["detect", SAMPLES, "--threads", "1"],
            "tokens": ["tokens", "--tokenizer", self.SP_V3, "--to", "mistral-v3", "--drop-text-with-tool-calls",
                       SAMPLES, "--threads", "1"],
        }
        for name, args in commands.items():
            shutil.rmtree(self.path("out"), ignore_errors=True)
            code, stderr = run_on_terminal(*args)
            self.assertIn(code, (0, 1), f"{name}: {stderr}")
            self.assertIn(f"{SAMPLES}/train.jsonl: ", stderr, name)
            self.assertRegex(stderr, r"\d+% of \d+\.\d MB, \d+ records", name)
            self.assertIn("\r\x1b[K", stderr, name)  # the line is drawn in place and cleared
            # The same command with stderr to a pipe (a CI log) prints no progress at all.
            shutil.rmtree(self.path("out"), ignore_errors=True)
            piped = run(*args)
            self.assertNotIn(b"\r", piped.stderr, name)
            self.assertNotIn(b"% of", piped.stderr, name)
            # -q (and --json for detect and tokens) turn it off on a terminal too.
            shutil.rmtree(self.path("out"), ignore_errors=True)
            code, quiet = run_on_terminal(*args, "-q")
            self.assertNotIn("% of", quiet, name)


class Formats(ChatfmtTestCase):
    def test_the_table_as_json(self):
        formats = json.loads(run("formats", "--json").stdout)
        names = [t["name"] for t in formats["targets"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual([t["name"] for t in formats["targets"] if t["default"]], ["mistral-v13"])
        for target in formats["targets"]:
            for control in target["control_strings"]:
                self.assertIn(control["text"], formats["refused_control_strings"], target["name"])
        encodings = [e["name"] for e in formats["encodings"]]
        self.assertIn("tool-role-tagged", encodings)
        self.assertIn("tool-result-prefix", encodings)
        self.assertEqual(formats["default_tool_result_prefix"], "Tool result:")
        self.assertIn("foreign-delimiter", [r["id"] for r in formats["rules"]])
        # The text listing names the same targets.
        text = run("formats").stdout.decode()
        for name in names:
            self.assertIn(name, text)
