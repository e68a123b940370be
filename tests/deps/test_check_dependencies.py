"""check_dependencies.py can fail: with a package left out of the list, it names that package and
the file that needs it. Run by CTest after the check itself, with /usr/bin/python3."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHECK = os.path.join(HERE, "check_dependencies.py")
LIST = os.path.join(ROOT, "tools", "debian-packages.txt")
sys.path.insert(0, HERE)
import check_dependencies  # noqa: E402


def check_without(package):
    """Runs the check against the list less `package`; returns (exit code, output)."""
    with open(LIST, encoding="utf-8") as f:
        lines = f.read().splitlines()
    kept = [line for line in lines if line.split("#", 1)[0].split() != [package]]
    assert len(kept) == len(lines) - 1, f"{package} is not one line of {LIST}"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as other:
        other.write("\n".join(kept) + "\n")
        other.flush()
        result = subprocess.run(["/usr/bin/python3", CHECK, "--list", other.name], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


class FailsNamingWhatIsMissing(unittest.TestCase):
    def test_a_python_module_package(self):
        code, out = check_without("python3-regex")
        self.assertEqual(code, 1, out)
        self.assertIn("python3-regex is not in tools/debian-packages.txt", out)
        self.assertIn("tools/oracle/tekken_encode.py", out)

    def test_a_program_package(self):
        code, out = check_without("nodejs")
        self.assertEqual(code, 1, out)
        self.assertIn("nodejs is not in tools/debian-packages.txt: it provides node", out)
        self.assertIn("tests/differential/run_tokenizer_differential.py", out)


class FindsThePrograms(unittest.TestCase):
    def test_shell_commands_through_prefixes_substitutions_and_variables(self):
        script = ("#!/usr/bin/env bash\n"
                  "PY=/usr/bin/python3\n"
                  "helper() { frobnicate --now; }\n"
                  'x=$(nproc)\n'
                  '"${as_root[@]}" apt-get update -qq\n'
                  'DEBIAN_FRONTEND=noninteractive exec timeout 5 env A=1 clang++ -v\n'
                  'if ! command -v node >/dev/null; then "$PY" tools/make_corpus.py; fi\n'
                  "cat <<'EOF'\nnot_a_command here\nEOF\n"
                  "[[ -x build/chatfmt ]] || cmake --build build\n"
                  "helper\n")
        with tempfile.NamedTemporaryFile("w", suffix=".sh") as f:
            f.write(script)
            f.flush()
            found = {program for program, _ in check_dependencies.shell_programs(f.name)}
        for program in ("/usr/bin/python3", "frobnicate", "nproc", "apt-get", "clang++", "node", "cmake"):
            self.assertIn(program, found)
        self.assertNotIn("not_a_command", found)
        self.assertNotIn("helper", found)  # a function of the script

    def test_python_subprocess_commands(self):
        source = ("import subprocess, sys\n"
                  "TIME = '/usr/bin/time'\n"
                  "def run_lines(cmd, texts):\n"
                  "    return subprocess.run(cmd, input=texts)\n"
                  "def f(chatfmt):\n"
                  "    run_lines(['node', 'x.mjs'], '')\n"
                  "    cmd = ['/usr/bin/python3', 'oracle.py']\n"
                  "    subprocess.run(cmd)\n"
                  "    subprocess.Popen([TIME, '-f', '%M'] + [chatfmt])\n"
                  "    subprocess.run([sys.executable, '-c', 'pass'])\n"
                  "    subprocess.run([chatfmt, 'convert'])\n")
        found = {program for program, _ in check_dependencies.python_programs(check_dependencies.ast.parse(source))}
        self.assertEqual(found, {"node", "/usr/bin/python3", "/usr/bin/time", "python3", None})


if __name__ == "__main__":
    unittest.main()
