#!/usr/bin/env python3
"""Records with 40,000 tool calls: converted in time linear in the calls, and correctly.

Each record is built from pieces of the real Phase 27 data (the start of the code of each real Code
Mode call and of each real tool response, the real call layouts), 6-8 MB, and puts
40,000 calls where a hostile or broken export would: all in one assistant message with all their
<tool_response> blocks in one user turn; as structured calls without ids to 40,000 distinct function
names (so 40,000 inferred tools); in 40,000 turns; as 40,000 ```json blocks in one message; and with a
--tools list of 40,000 functions. chatfmt once took time quadratic in the calls for each of these
(call ids hashed the whole record per call; tool lookups, tool inference and the search for the
next call scanned everything per call): 30-70 s per record on the test machine.

This test asserts no time: CTest's TIMEOUT on each case (one CTest test per case, so one site
turning quadratic again cannot hide in the others' margin) is the guard. It checks what must hold however
long the record: the openai output has every call with its name and arguments, every derived id is
9 base-62 characters and distinct, every result carries the id of the call it answers in order; the
mistral-v13 and qwen3-xml texts hold 40,000 calls and 40,000 results. Timings are printed.

  run_many_calls.py CHATFMT SAMPLE.jsonl [SAMPLE.jsonl ...] [--calls N] [--case NAME ...]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ID = re.compile(r"[A-Za-z0-9]{9}")


def real_pieces(samples):
    """The starts (30 characters) of the real calls' code and of the real tool responses, and a real
    system and user message to start from."""
    codes, responses, start = [], [], None
    for sample in samples:
        with open(sample, encoding="utf-8") as f:
            for line in f:
                messages = json.loads(line)["messages"]
                if start is None and [m["role"] for m in messages[:2]] == ["system", "user"]:
                    start = messages[:2]
                for m in messages:
                    for code in re.findall(r"<parameter=code>\n(.*?)\n</parameter>", m["content"], re.S):
                        codes.append(code[:30])
                    for body in re.findall(r"<tool_response>\n?(.*?)\n?</tool_response>", m["content"], re.S):
                        responses.append(body[:30])
    return codes, [r for r in responses if r.strip()], start


def xml_call(code):
    return f"<tool_call><function=execute_code>\n<parameter=code>\n{code}\n</parameter>\n</function></tool_call>"


CASES = ["xml-calls-in-one-message", "structured-calls-to-distinct-tools", "calls-in-separate-turns",
         "json-fences-in-one-message", "xml-calls-with-a-tool-list-as-long"]


def build_cases(samples, n, workdir, wanted):
    codes, responses, start = real_pieces(samples)
    code = [codes[i % len(codes)] + f"#{i}" for i in range(n)]  # distinct, so a misplaced call shows
    result = [responses[i % len(responses)] for i in range(n)]
    cases = []

    def case(name, record, calls, extra=()):
        assert name == CASES[len(cases)]
        if name not in wanted:
            cases.append(None)
            return
        path = os.path.join(workdir, name + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        cases.append((name, path, calls, list(extra)))

    execute = [("execute_code", {"code": c}) for c in code]
    responses_turn = {"role": "user", "content": "\n".join(f"<tool_response>\n{r}\n</tool_response>" for r in result)}
    one_turn = {"messages": start + [{"role": "assistant", "content": "I'll use the run_command tool.\n\n" +
                                      "\n".join(xml_call(c) for c in code)}, responses_turn]}
    case("xml-calls-in-one-message", one_turn, execute)

    names = [f"tool_{i}" for i in range(n)]
    structured = [{"type": "function", "function": {"name": names[i], "arguments": json.dumps({"code": code[i]})}}
                  for i in range(n)]
    case("structured-calls-to-distinct-tools",
         {"messages": start + [{"role": "assistant", "content": None, "tool_calls": structured}] +
          [{"role": "tool", "content": r} for r in result]},
         [(names[i], {"code": code[i]}) for i in range(n)])

    turns = []
    for c, r in zip(code, result):
        turns += [{"role": "assistant", "content": xml_call(c)},
                  {"role": "user", "content": f"<tool_response>\n{r}\n</tool_response>"}]
    case("calls-in-separate-turns", {"messages": start + turns}, execute)

    # The real data's ```json layout (train.jsonl:433), one block per call.
    fences = "\n".join("```json\n{\n  \"name\": \"run_command\",\n  \"arguments\": " +
                       json.dumps({"command": c}) + "\n}\n```" for c in code)
    case("json-fences-in-one-message",
         {"messages": start + [{"role": "assistant", "content": "I'll use the run_command tool.\n\n" + fences},
                               responses_turn]},
         [("run_command", {"command": c}) for c in code])

    tools = [{"type": "function", "function": {"name": f"tool_{i}", "parameters": {"type": "object", "properties": {
        "code": {"type": "string"}}}}} for i in range(n - 1)]
    tools.append({"type": "function", "function": {"name": "execute_code", "parameters": {
        "type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]}}})
    tools_path = os.path.join(workdir, "tools.json")
    with open(tools_path, "w", encoding="utf-8") as f:
        json.dump(tools, f)
    case("xml-calls-with-a-tool-list-as-long", one_turn, execute, ["--tools", tools_path])
    return [c for c in cases if c is not None]


def convert(chatfmt, path, target, extra, workdir):
    out = os.path.join(workdir, "out.jsonl")
    cmd = [chatfmt, "convert", path, "-o", out, "--rejects", out + ".rejects", "--to", target, "--quiet",
           "--threads", "2"] + extra
    began = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - began
    with open(out, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(out + ".rejects", encoding="utf-8") as f:
        rejects = f.read().splitlines()
    return result.returncode, lines, rejects, elapsed


def check_openai(record, calls, failures, name):
    made = [c for m in record["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    if [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in made] != calls:
        failures.append(f"{name}: the calls written are not the calls read")
    ids = [c["id"] for c in made]
    if not all(ID.fullmatch(i) for i in ids) or len(set(ids)) != len(ids):
        failures.append(f"{name}: call ids not all valid and distinct ({len(set(ids))} distinct of {len(ids)})")
    answered = [m["tool_call_id"] for m in record["messages"] if m["role"] == "tool"]
    if answered != ids:
        failures.append(f"{name}: results do not carry the ids of the calls they answer, in order")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt")
    parser.add_argument("samples", nargs="+")
    parser.add_argument("--calls", type=int, default=40000)
    parser.add_argument("--case", choices=CASES, action="append", help="run only this case (repeatable)")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, path, calls, extra in build_cases(args.samples, args.calls, workdir, args.case or CASES):
            size = os.path.getsize(path)
            for target, marks in (("openai", None), ("mistral-v13", ("[TOOL_CALLS]", "[TOOL_RESULTS]")),
                                  ("qwen3-xml", ("<tool_call>\n<function=", "<tool_response>\n"))):
                code, lines, rejects, elapsed = convert(args.chatfmt, path, target, extra, workdir)
                print(f"{name} ({size / 1e6:.1f} MB, {len(calls)} calls) -> {target}: {elapsed:.2f} s")
                label = f"{name} -> {target}"
                if code != 0 or len(lines) != 1 or rejects:
                    failures.append(f"{label}: exit {code}, {len(lines)} written, rejects {rejects[:1]}")
                    continue
                record = json.loads(lines[0])
                if marks is None:
                    check_openai(record, calls, failures, label)
                else:
                    # After the system turn: Qwen3-Coder's tool instructions show a <tool_call> example.
                    text = record["text"]
                    if target == "qwen3-xml":
                        text = text[text.find("<|im_end|>"):]
                    counts = [text.count(mark) for mark in marks]
                    if counts != [len(calls), len(calls)]:
                        failures.append(f"{label}: {counts[0]} {marks[0]!r} and {counts[1]} {marks[1]!r}, "
                                        f"expected {len(calls)} each")
    for failure in failures:
        print("FAIL " + failure)
    print(f"{len(failures)} failures")
    return 1 if failures else 0



if __name__ == "__main__":
    sys.exit(main())
