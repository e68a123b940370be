#!/usr/bin/env python3
"""Checks that chatfmt writes, byte for byte, what tests/golden/output_hashes.txt records.

  check_output_hashes.py CHATFMT            compare; exit 1 on any difference
  check_output_hashes.py CHATFMT --update   rewrite output_hashes.txt from CHATFMT's outputs
  check_output_hashes.py CHATFMT --reference OLD_CHATFMT
                                           on a difference, also run OLD_CHATFMT (a build of the
                                           commit the hashes were made from) and show the first
                                           differing line of each differing output

A safety net for rewrites that must not change a byte (the record path, the writers): the sha256
of everything chatfmt writes for the real sample (data/samples), for every target of
`chatfmt formats --json` under several option sets, and of the tool-result shapes. The checked
runs, each with --threads 2 --quiet, from the repository root:

  convert data/samples --to TARGET [OPTS]   for every target name (aliases are the same writer), with
        OPTS: none; --tools schemas/punie-tools.json; --no-tools; --on-foreign-delimiter keep;
        and the target's own "options" from `formats --json` (--drop-text-with-tool-calls for mistral-v3)
  convert shapes/SHAPE.jsonl --to TARGET    for every target, no options, for the five line-aligned
        files tools/make_tool_result_shapes.py writes from data/samples (run in the temp directory)
  detect --json data/samples
  tokens --tokenizer <the v3 SentencePiece model> --to mistral-v3 --drop-text-with-tool-calls
        --dump-ids FILE data/samples --json

One line per (command, file): "SHA256  COMMAND :: FILE", where FILE is a file the command wrote
(out/train.jsonl, out.rejects.jsonl, ids.jsonl, ...), "stdout", or "exit status, stderr". The temp
directory a command writes to is replaced by $OUT in its stdout and stderr before hashing. The shape
files themselves are hashed too ("input ..." lines), so that a changed generator is told apart from a
changed chatfmt. A target or a line on only one side is a failure: a new target needs --update.

Standard library only (CTest runs it with Debian's /usr/bin/python3). See tests/golden/README.md
for when to regenerate.
"""
import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
HASHES = os.path.join(ROOT, "tests", "golden", "output_hashes.txt")
SAMPLES = "data/samples"
TOOLS = "schemas/punie-tools.json"
TOKENIZER = "tests/reference/mistral-common/tokenizers/mistral_instruct_tokenizer_240323.model.v3"
SHAPE_GENERATOR = "tools/make_tool_result_shapes.py"
SHAPES = ["canonical_messages", "tool_role_tagged", "prefix_messages", "canonical_chatml", "prefix_chatml"]
# The option sets every target is converted with (its own "options" from formats --json are added).
OPTION_SETS = [[], ["--tools", TOOLS], ["--no-tools"], ["--on-foreign-delimiter", "keep"]]
COMMON = ["--threads", "2", "--quiet"]
STATUS = "exit status, stderr"
ABSENT = "absent"  # in place of a hash: the file was expected but not written
SEPARATOR = " :: "
LINE = re.compile(r"^([0-9a-f]{64}|" + ABSENT + r")  (.+)$")
TARGET_OF_LABEL = re.compile(r"^convert --to (\S+) ")
COMMAND_TIMEOUT = 600
DETAILED = 10  # differing labels shown with their first differing line (with --reference)


@dataclasses.dataclass
class Job:
    """One chatfmt run. args may hold "{W}", the directory the run writes its files to."""
    command: str  # the label prefix: the command as a reader would type it
    args: list
    cwd: str
    expected_files: tuple = ()  # files it must write (hashed as ABSENT when it does not)


@dataclasses.dataclass
class Result:
    artifacts: dict  # label suffix -> path of the bytes hashed
    returncode: int


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_job(chatfmt, job, jobdir):
    """Runs the job with CHATFMT into JOBDIR; returns its artifacts (every file under JOBDIR/w, stdout,
    and the exit status with stderr), each as a file under JOBDIR."""
    shutil.rmtree(jobdir, ignore_errors=True)
    work = os.path.join(jobdir, "w")
    os.makedirs(work)
    args = [arg.replace("{W}", work) for arg in job.args]
    try:
        result = subprocess.run([chatfmt] + args, cwd=job.cwd, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=COMMAND_TIMEOUT)
        returncode, stdout, stderr = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as timeout:
        returncode, stdout = "timeout", timeout.stdout or b""
        stderr = (timeout.stderr or b"") + f"\n[killed after {COMMAND_TIMEOUT} s]".encode()
    artifacts = {}
    for directory, _, names in os.walk(work):
        for name in names:
            path = os.path.join(directory, name)
            artifacts[os.path.relpath(path, work)] = path
    for name in job.expected_files:
        artifacts.setdefault(name, None)
    # The temp directory is not part of the output: $OUT in its place.
    placeholder = work.encode()
    for name, data in (("stdout", stdout), (STATUS, f"exit {returncode}\n".encode() + stderr)):
        path = os.path.join(jobdir, name.replace(" ", "_").replace(",", ""))
        with open(path, "wb") as f:
            f.write(data.replace(placeholder, b"$OUT"))
        artifacts[name] = path
    return Result(artifacts, returncode)


def read_targets(chatfmt):
    result = subprocess.run([chatfmt, "formats", "--json"], cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_output_hashes: `{chatfmt} formats --json` exited {result.returncode}: "
                 + result.stderr.strip())
    return [(target["name"], list(target.get("options", []))) for target in json.loads(result.stdout)["targets"]]


def make_jobs(targets, shapes_cwd):
    jobs = []
    for name, own_options in targets:
        option_sets = OPTION_SETS + ([own_options] if own_options and own_options not in OPTION_SETS else [])
        for options in option_sets:
            command = " ".join(["convert", "--to", name] + options + [SAMPLES])
            jobs.append(Job(command, ["convert", SAMPLES, "-o", "{W}/out", "--to", name] + options + COMMON, ROOT,
                            ("out/train.jsonl", "out/valid.jsonl", "out.rejects.jsonl")))
    for name, _ in targets:
        for shape in SHAPES:
            source = f"shapes/{shape}.jsonl"
            jobs.append(Job(f"convert --to {name} {source}",
                            ["convert", source, "-o", "{W}/out.jsonl", "--to", name] + COMMON, shapes_cwd,
                            ("out.jsonl", "out.rejects.jsonl")))
    jobs.append(Job(f"detect --json {SAMPLES}", ["detect", "--json", SAMPLES] + COMMON, ROOT))
    tokens = ["tokens", "--tokenizer", TOKENIZER, "--to", "mistral-v3", "--drop-text-with-tool-calls"]
    jobs.append(Job(" ".join(tokens + ["--dump-ids", "ids.jsonl", SAMPLES, "--json"]),
                    tokens + ["--dump-ids", "{W}/ids.jsonl", SAMPLES, "--json"] + COMMON, ROOT,
                    expected_files=("ids.jsonl",)))
    return jobs


def make_shapes(tmp):
    """Writes the tool-result shapes into TMP/shapes; returns their (label, path) entries."""
    outdir = os.path.join(tmp, "shapes")
    inputs = [os.path.join(ROOT, SAMPLES, name) for name in ("train.jsonl", "valid.jsonl")]
    result = subprocess.run([sys.executable, os.path.join(ROOT, SHAPE_GENERATOR), outdir] + inputs,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_output_hashes: {SHAPE_GENERATOR} exited {result.returncode}: {result.stderr.strip()}")
    return [(f"input {SHAPE_GENERATOR} {SAMPLES}{SEPARATOR}shapes/{shape}.jsonl",
             os.path.join(outdir, f"{shape}.jsonl")) for shape in SHAPES]


def run_all(chatfmt, jobs, tmp, pool, tag):
    """Runs the jobs in the pool; returns [(job, Result)] in job order."""
    futures = [pool.submit(run_job, chatfmt, job, os.path.join(tmp, tag, str(index)))
               for index, job in enumerate(jobs)]
    return [(job, future.result()) for job, future in zip(jobs, futures)]


def hash_entries(results, inputs, pool):
    """[(label, hash, path)] in a stable order: inputs, then each command's artifacts sorted by name."""
    pending = [(label, path) for label, path in inputs]
    for job, result in results:
        pending += [(job.command + SEPARATOR + name, result.artifacts[name]) for name in sorted(result.artifacts)]
    digests = pool.map(lambda path: ABSENT if path is None else sha256_file(path), [path for _, path in pending])
    return [(label, digest, path) for (label, path), digest in zip(pending, digests)]


def read_hashes(path):
    """{label: hash} of the hashes file, or None when it does not exist."""
    if not os.path.exists(path):
        return None
    entries = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            match = LINE.match(line)
            if not match:
                sys.exit(f"check_output_hashes: {path}:{number}: not \"SHA256  LABEL\": {line[:120]!r}")
            if match.group(2) in entries:
                sys.exit(f"check_output_hashes: {path}:{number}: label twice: {match.group(2)}")
            entries[match.group(2)] = match.group(1)
    return entries


def git(*args):
    try:
        result = subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout.rstrip("\n") if result.returncode == 0 else None


def version(chatfmt):
    result = subprocess.run([chatfmt, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return result.stdout.strip() or "unknown version"


def short(digest):
    return digest if digest == ABSENT else digest[:16] + "…"


def targets_of(labels):
    return {match.group(1) for match in map(TARGET_OF_LABEL.match, labels) if match}


# --------------------------------------------------------------------------------------------------
# Showing a difference


def excerpt(line, column, width=50):
    start = max(0, column - width)
    text = line[start:column + width].decode("utf-8", errors="replace").rstrip("\n")
    return ("…" if start else "") + repr(text)[1:-1] + ("…" if column + width < len(line.rstrip(b"\n")) else "")


def first_difference(expected_path, actual_path):
    """A few lines saying where two files first differ, or None when they are identical."""
    if expected_path is None or actual_path is None:
        where = ("by neither build" if expected_path == actual_path else
                 "only by the reference" if actual_path is None else "only by the checked build")
        return [f"    the file is written {where}"]
    with open(expected_path, "rb") as f:
        expected = f.readlines()  # split at b"\n" only
    with open(actual_path, "rb") as f:
        actual = f.readlines()
    for number, (old, new) in enumerate(zip(expected, actual), 1):
        if old != new:
            column = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            return [f"    first difference: line {number}, byte {column + 1} of the line",
                    f"      expected: {excerpt(old, column)}",
                    f"      actual:   {excerpt(new, column)}"]
    if len(expected) != len(actual):
        shorter = min(len(expected), len(actual))
        return [f"    expected {len(expected)} lines, got {len(actual)}: line {shorter + 1} is on one side only"]
    return None


def explain(differing, results, reference, tmp, pool, expected):
    """Re-runs the differing commands with the reference build and shows each first differing line."""
    by_command = {job.command: (job, result) for job, result in results}
    commands = sorted({label.split(SEPARATOR)[0] for label in differing})
    jobs = [by_command[command][0] for command in commands if command in by_command]
    print(f"\nre-running {len(jobs)} command(s) with the reference {reference} ({version(reference)}):")
    reference_results = {job.command: result for job, result in run_all(reference, jobs, tmp, pool, "reference")}
    for count, label in enumerate(differing):
        if count == DETAILED:
            print(f"  ... {len(differing) - DETAILED} more differing labels not shown in detail")
            break
        command, name = label.split(SEPARATOR, 1)
        if command not in reference_results:
            continue
        old = reference_results[command].artifacts.get(name)
        new = by_command[command][1].artifacts.get(name)
        print(f"  {label}")
        old_hash = ABSENT if old is None else sha256_file(old)
        if old_hash != expected[label]:
            print("    (the reference does not give the recorded hash either: it is not the build the hashes "
                  "were made with; comparing with its output all the same)")
        lines = first_difference(old, new)
        print("\n".join(lines) if lines else "    identical to the reference's output")


# --------------------------------------------------------------------------------------------------


def write_hashes(path, entries, chatfmt):
    """--update: writes the hashes file unless it already holds these hashes; returns the message."""
    old = read_hashes(path)
    new = {label: digest for label, digest, _ in entries}
    name = os.path.relpath(path, ROOT)
    if old == new:
        return f"{name} already holds these hashes; left as it is"
    with open(path, "w", encoding="utf-8") as f:
        f.write("# sha256 of every output chatfmt writes for data/samples, per target and option set: written by\n"
                "# `tests/golden/check_output_hashes.py CHATFMT --update`, checked by CTest (output_hashes).\n"
                "# Regenerate only with passing differential tests (tests/golden/README.md).\n"
                f"# Made with {version(chatfmt)} built from commit {git('rev-parse', 'HEAD') or 'unknown'}.\n")
        f.writelines(f"{digest}  {label}\n" for label, digest, _ in entries)
    if old is None:
        return f"wrote {name}"
    changed = sum(1 for label in new.keys() | old.keys() if old.get(label) != new.get(label))
    return f"wrote {name}: {changed} lines changed, added or removed"


def compare(expected, entries, crashed, hashes_name):
    """The problems (texts) and the differing labels of a check."""
    actual = {label: digest for label, digest, _ in entries}
    problems = []

    def outside(label, targets):  # a label of none of these targets (those are told about as a whole)
        match = TARGET_OF_LABEL.match(label)
        return match is None or match.group(1) not in targets

    new_targets = sorted(targets_of(actual) - targets_of(expected))
    gone_targets = sorted(targets_of(expected) - targets_of(actual))
    if new_targets:
        count = sum(1 for label in actual if not outside(label, new_targets))
        problems.append(f"new target(s) {', '.join(new_targets)}: in `chatfmt formats --json` but not in {hashes_name} "
                        f"({count} labels unrecorded). A new target needs its hashes recorded: once the differential "
                        f"tests pass for it, run --update")
    if gone_targets:
        count = sum(1 for label in expected if not outside(label, gone_targets))
        problems.append(f"target(s) {', '.join(gone_targets)} recorded ({count} labels) but no longer in "
                        f"`chatfmt formats --json`: if the target was removed on purpose, run --update")
    missing = [label for label in expected if label not in actual and outside(label, gone_targets)]
    extra = [label for label in actual if label not in expected and outside(label, new_targets)]
    differing = [label for label in actual if label in expected and expected[label] != actual[label]]
    for title, labels in (("recorded but not produced (a file no longer written, or a command gone)", missing),
                          ("produced but not recorded (a new file or command: --update once it is checked)", extra),
                          ("differ from the recorded hash", differing)):
        if not labels:
            continue
        lines = [f"{len(labels)} label(s) {title}:"]
        for label in labels[:40]:
            lines.append(f"  {label}")
            if label in differing:
                lines.append(f"    expected {short(expected[label])}, got {short(actual[label])}")
        if len(labels) > 40:
            lines.append(f"  ... and {len(labels) - 40} more")
        problems.append("\n".join(lines))
    problems += [f"chatfmt exited {code} (not 0 or 1): {command}" for command, code in crashed]
    return problems, differing


def reference_hint(path):
    """How to build the reference the hashes file was made with (its header names the commit)."""
    with open(path, encoding="utf-8") as f:
        commit = next((m.group(1) for m in map(re.compile(r"^# .*from commit ([0-9a-f]{40})").match, f) if m), None)
    commit = commit[:12] if commit else "COMMIT"
    return (f"To see the first differing line of each, pass --reference OLD_CHATFMT, a build of {commit}:\n"
            f"  git worktree add /tmp/chatfmt-ref {commit} && cmake -S /tmp/chatfmt-ref -B /tmp/chatfmt-ref/build "
            f"-G Ninja -DCMAKE_BUILD_TYPE=Release -DCHATFMT_BUILD_TESTS=OFF && ninja -C /tmp/chatfmt-ref/build chatfmt")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt", help="the chatfmt binary to check")
    parser.add_argument("--update", action="store_true",
                        help=f"rewrite {os.path.relpath(HASHES, ROOT)} instead of checking")
    parser.add_argument("--reference", metavar="OLD_CHATFMT", default=os.environ.get("CHATFMT_REFERENCE"),
                        help="on a difference, re-run with this build (of the commit the hashes come from) and show "
                             "the first differing line (default: $CHATFMT_REFERENCE)")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="--update even with uncommitted changes in src/, converters/, include/, CMakeLists.txt")
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2), help="commands run at once")
    parser.add_argument("--hashes", default=HASHES, help=argparse.SUPPRESS)
    options = parser.parse_args()
    chatfmt, reference = (os.path.abspath(path) if path and os.sep in path else path
                          for path in (options.chatfmt, options.reference))

    if options.update and not options.allow_dirty:
        dirty = git("status", "--porcelain", "--", "src", "converters", "include", "CMakeLists.txt")
        if dirty:
            sys.exit("check_output_hashes: not updating: src/, converters/, include/ or CMakeLists.txt have "
                     "uncommitted changes, so the hashes would be those of no commit:\n" + dirty +
                     "\nUpdate from a worktree of HEAD (tests/golden/README.md) or pass --allow-dirty.")
    expected = None
    if not options.update:
        expected = read_hashes(options.hashes)
        if expected is None:
            print(f"check_output_hashes: {options.hashes} does not exist: run with --update (tests/golden/README.md)")
            return 1

    began = time.monotonic()
    targets = read_targets(chatfmt)
    with tempfile.TemporaryDirectory(prefix="chatfmt-hashes-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        inputs = make_shapes(tmp)
        jobs = make_jobs(targets, tmp)
        results = run_all(chatfmt, jobs, tmp, pool, "current")
        entries = hash_entries(results, inputs, pool)
        crashed = [(job.command, result.returncode) for job, result in results if result.returncode not in (0, 1)]
        files = sum(1 for label, digest, _ in entries if digest != ABSENT and not label.endswith(("stdout", STATUS)))
        size = sum(os.path.getsize(path) for _, digest, path in entries if digest != ABSENT)

        def figures():
            return (f"{len(entries)} labels, {len(targets)} targets, {len(jobs)} chatfmt runs, {files} files hashed "
                    f"({size / 1e6:.1f} MB), {time.monotonic() - began:.1f} s")

        if options.update:
            if crashed:
                sys.exit("check_output_hashes: not updating: a failure is no golden output:\n" +
                         "\n".join(f"  exit {code}: {command}" for command, code in crashed))
            print(f"check_output_hashes: {write_hashes(options.hashes, entries, chatfmt)}")
            print(f"check_output_hashes: {figures()}")
            return 0

        problems, differing = compare(expected, entries, crashed, os.path.basename(options.hashes))
        if not problems:
            print(f"check_output_hashes: all identical: {figures()}")
            return 0
        print("check_output_hashes: FAILED: chatfmt's outputs are not the recorded ones\n")
        print("\n\n".join(problems))
        if differing and reference:
            explain(differing, results, reference, tmp, pool, expected)
        elif differing:
            print("\n" + reference_hint(options.hashes))
        print(f"\ncheck_output_hashes: {figures()}")
        print("An intended change of output is recorded with --update, and only after the differential tests pass "
              "(tests/golden/README.md).")
        return 1


if __name__ == "__main__":
    sys.exit(main())
