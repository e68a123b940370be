#!/usr/bin/env python3
"""Duplicate JSON keys: chatfmt must read a record the way Python's json.loads does.

json.loads keeps the last value of a duplicate key, at the position of the key's first occurrence
(docs/formats.md, "Value rules"). This test takes the real Phase 27 records in every shape chatfmt
reads (the records as they are, with ```json calls and <tool_response> blocks; chatfmt's own
`openai` output of them, with structured calls, ids, role "tool" results and the Punie tool
schemas; its `qwen3-xml` output, i.e. {"text": ...} records; the records with a "tools" key), and
injects duplicate keys at every level: record keys, message keys, content parts, tool calls,
functions, keys inside arguments (objects, JSON strings and ```json blocks), tool schemas. Each
duplicate comes before the original key (so the key's position moves to the front), after it (so
the original position stays), or both, with values that differ in value and in type.

For every such line, chatfmt's result (output line, or rejection rule and reason) must equal its
result for json.dumps(json.loads(line), ensure_ascii=False), Python's reading of the line, for the
targets openai, mistral-v13 and qwen3-xml. A JSON text that chatfmt parses inside a string
(arguments given as a string, a ```json block) is read the same way, so Python's reading of those
is substituted too. Derived call ids are not masked: they depend on the conversation, not on the
bytes of the line, so they must be equal as well.

A test that cannot fail proves nothing: each line is also converted as a reader keeping the FIRST
value would see it, and for every site where the value matters, some case must come out
differently that way, or the test fails.

  run_duplicate_keys.py CHATFMT TOOLS.json SAMPLE.jsonl [SAMPLE.jsonl ...] [--per-combination N]
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile

TARGETS = ["openai", "mistral-v13", "qwen3-xml"]
FENCE = re.compile(r"```json[ \t]*\r?\n")


class Obj(list):
    """A JSON object as written, duplicates included: a list of [key, value] pairs."""

    def index(self, key):
        for i, (k, _) in enumerate(self):
            if k == key:
                return i
        raise KeyError(key)

    def __getitem__(self, key):
        if isinstance(key, str):
            return list.__getitem__(self, self.index(key))[1]
        return list.__getitem__(self, key)

    def __setitem__(self, key, value):
        if isinstance(key, str):
            list.__getitem__(self, self.index(key))[1] = value
        else:
            list.__setitem__(self, key, value)

    def keys(self):
        return [k for k, _ in self]


def load_pairs(text):
    return json.loads(text, object_pairs_hook=lambda pairs: Obj([list(p) for p in pairs]))


def first_wins(pairs):
    """What a reader that keeps the first occurrence (the bug this test guards against) sees."""
    d = {}
    for k, v in pairs:
        d.setdefault(k, v)
    return d


def dump(value):
    if isinstance(value, Obj):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + dump(v) for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def plain(value):
    """An Obj tree without duplicates as plain Python values (for pools of replacement values)."""
    if isinstance(value, Obj):
        return {k: plain(v) for k, v in value}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def to_obj(value):
    if isinstance(value, dict):
        return Obj([[k, to_obj(v)] for k, v in value.items()])
    if isinstance(value, list):
        return [to_obj(v) for v in value]
    return value


def walk(root, path):
    for step in path:
        root = root[step]
    return root


def fence_region(text):
    """(start, end) of the first ```json block's body, or None."""
    m = FENCE.search(text)
    if not m:
        return None
    end = text.find("```", m.end())
    return None if end < 0 else (m.start() + len(m.group(0)), end)


def nested_region(text, kind):
    return (0, len(text)) if kind == "whole" else fence_region(text)


# A slot is where a duplicate goes: (path to the object, key, nested) where nested is None or
# (path to the object holding a string, that string's key, "whole" | "fence"): the object then
# lives inside the JSON text held by that string, and `path` is relative to that text.
Slot = collections.namedtuple("Slot", "path key nested")


def message_slots(tree, shape):
    slots = collections.defaultdict(list)
    for key in ("messages", "tools", "text"):
        if key in tree.keys():
            slots["record." + key].append(Slot((), key, None))
    if "messages" not in tree.keys():
        return slots
    for m, message in enumerate(tree["messages"]):
        base = ("messages", m)
        for key in ("role", "content", "tool_calls", "tool_call_id", "name"):
            if key in message.keys():
                slots["message." + key].append(Slot(base, key, None))
        content = message["content"] if "content" in message.keys() else None
        if isinstance(content, list):
            for p, _ in enumerate(content):
                for key in ("type", "text"):
                    slots["content-part." + key].append(Slot(base + ("content", p), key, None))
        if isinstance(content, str) and message["role"] == "assistant":
            region = fence_region(content)
            if region:
                try:
                    call = load_pairs(content[region[0]:region[1]])
                except ValueError:
                    call = None  # the one real ```json block that is not JSON: nothing to duplicate in it
                if isinstance(call, Obj) and "name" in call.keys():
                    nested = (base, "content", "fence")
                    for key in call.keys():
                        slots["fence-call." + key].append(Slot((), key, nested))
                    if isinstance(call["arguments"], Obj):
                        for key in call["arguments"].keys():
                            slots["fence-arguments.key"].append(Slot(("arguments",), key, nested))
        if "tool_calls" in message.keys() and isinstance(message["tool_calls"], list):
            for c, call in enumerate(message["tool_calls"]):
                cpath = base + ("tool_calls", c)
                for key in call.keys():
                    slots["call." + key].append(Slot(cpath, key, None))
                function = call["function"]
                for key in function.keys():
                    slots["function." + key].append(Slot(cpath + ("function",), key, None))
                arguments = function["arguments"]
                if isinstance(arguments, str) and arguments.startswith("{"):
                    for key in load_pairs(arguments).keys():
                        slots["arguments-string.key"].append(Slot((), key, (cpath + ("function",), "arguments",
                                                                               "whole")))
                elif isinstance(arguments, Obj):
                    for key in arguments.keys():
                        slots["arguments-object.key"].append(Slot(cpath + ("function", "arguments"), key, None))
    if "tools" in tree.keys() and isinstance(tree["tools"], list):
        for t, entry in enumerate(tree["tools"]):
            tpath = ("tools", t)
            for key in entry.keys():
                slots["tool." + key].append(Slot(tpath, key, None))
            function = entry["function"]
            for key in function.keys():
                slots["tool-function." + key].append(Slot(tpath + ("function",), key, None))
            parameters = function["parameters"]
            for key in parameters.keys():
                slots["tool-parameters." + key].append(Slot(tpath + ("function", "parameters"), key, None))
            properties = parameters["properties"]
            for key in properties.keys():
                slots["tool-properties.name"].append(Slot(tpath + ("function", "parameters", "properties"), key, None))
                for inner in properties[key].keys():
                    slots["tool-property." + inner].append(
                        Slot(tpath + ("function", "parameters", "properties", key), inner, None))
    return slots


def alternatives(kind, original, pools, rng):
    """Replacement values for a duplicate of `kind`: different values, and values of other types."""
    other = lambda pool: rng.choice([v for v in pools[pool] if v != original] or [None])
    table = {
        "record.messages": lambda: [other("messages"), [], 5],
        "record.tools": lambda: [list(reversed(original)) if isinstance(original, list) else [], [], None, "x"],
        "record.text": lambda: [other("text"), 5, None],
        "message.role": lambda: [r for r in ("system", "user", "assistant", "tool") if r != original] + [5, None,
                                                                                                          "developer"],
        "message.content": lambda: [other("content"), "", None, 5,
                                    [{"type": "text", "text": other("content")}]],
        "message.tool_calls": lambda: [[], None, other("tool_calls"), 5],
        "message.tool_call_id": lambda: ["abcDEF123", 5, "call_1"],
        "message.name": lambda: ["other_name", 5],
        "content-part.type": lambda: ["image_url", 5, "text"],
        "content-part.text": lambda: [other("content"), 5, ""],
        "call.id": lambda: ["abcDEF123", "call_1", 5, None],
        "call.type": lambda: ["function", "other", None],
        "call.function": lambda: [other("function"), 5, {}],
        "function.name": lambda: [other("name"), "bad name!", 5],
        "function.arguments": lambda: [other("arguments"), {"code": "print(1)"}, "", "not json", 5],
        "fence-call.name": lambda: [other("name"), 5, "bad name!"],
        "fence-call.arguments": lambda: [{"path": "other.py"}, "{\"command\": \"ls\"}", 5],
        "tool.type": lambda: ["function", "other", 5],
        "tool.function": lambda: [other("tool_function"), 5],
        "tool-function.name": lambda: [other("name"), 5],
        "tool-function.description": lambda: ["another description", 5, None],
        "tool-function.parameters": lambda: [other("parameters"), {}, 5],
        "tool-parameters.type": lambda: ["object", "array", 5],
        "tool-parameters.properties": lambda: [other("properties"), {}, 5],
        "tool-parameters.required": lambda: [[], ["missing"], 5],
        "tool-properties.name": lambda: [{"type": "integer"}, {"type": "string", "description": "d"}, 5],
        "tool-property.type": lambda: ["integer", ["string", "null"], "string", 5],
        "tool-property.description": lambda: ["another description", 5],
    }
    if kind in table:
        values = table[kind]()
    else:  # keys inside arguments: another string, a number, a list, null
        values = [other("argument_value"), 42, [1, "two"], None]
    return [to_obj(v) for v in values]


def inject(obj, key, value, where, rng):
    """Adds duplicates of `key` to `obj`: before the first occurrence (at the front), after it (at
    the end), or both; the values differ from the original and from each other."""
    if where in ("before", "both"):
        obj.insert(0, [key, value])
    if where in ("after", "both"):
        second = value if where == "after" else rng.choice([value, 7, "last", None])
        obj.append([key, second])


def python_reading(line, nested, hook=None):
    """json.loads of the line (or the first-wins reading), with the JSON text chatfmt parses inside
    a string replaced by its reading too; then json.dumps(ensure_ascii=False)."""
    loads = (lambda s: json.loads(s)) if hook is None else (lambda s: json.loads(s, object_pairs_hook=hook))
    value = loads(line)
    if nested:
        holder_path, holder_key, kind = nested
        holder = walk(value, holder_path)
        text = holder[holder_key]
        start, end = nested_region(text, kind)
        holder[holder_key] = text[:start] + json.dumps(loads(text[start:end]), ensure_ascii=False) + text[end:]
    return json.dumps(value, ensure_ascii=False)


def has_duplicate(line):
    found = []

    def hook(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            found.append(True)
        return dict(pairs)

    value = json.loads(line, object_pairs_hook=hook)
    # Duplicates inside an embedded JSON text (arguments string, ```json block) count too.
    return bool(found) or any(has_duplicate_in_text(s) for s in strings(value))


def has_duplicate_in_text(text):
    for start, end in filter(None, [(0, len(text)) if text.startswith("{") else None, fence_region(text)]):
        try:
            if has_duplicate(text[start:end]):
                return True
        except ValueError:
            pass
    return False


def strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, str):
        yield value


def make_cases(bases, per_combination, seed):
    rng = random.Random(seed)
    pools = collections.defaultdict(list)
    slots_by_kind = collections.defaultdict(list)
    for b, (shape, line) in enumerate(bases):
        tree = load_pairs(line)
        for kind, slots in message_slots(tree, shape).items():
            slots_by_kind[kind].extend((b, slot) for slot in slots)
        value = plain(tree)
        if "messages" in value:
            pools["messages"].append(value["messages"])
            for message in value["messages"]:
                if isinstance(message.get("content"), str):
                    pools["content"].append(message["content"])
                for call in message.get("tool_calls") or []:
                    pools["tool_calls"].append(message["tool_calls"])
                    pools["function"].append(call["function"])
                    pools["name"].append(call["function"]["name"])
                    pools["arguments"].append(call["function"]["arguments"])
                    if isinstance(call["function"]["arguments"], str):
                        pools["argument_value"].extend(json.loads(call["function"]["arguments"]).values())
        if "text" in value:
            pools["text"].append(value["text"])
        for entry in value.get("tools") or []:
            pools["tool_function"].append(entry["function"])
            pools["parameters"].append(entry["function"]["parameters"])
            pools["properties"].append(entry["function"]["parameters"]["properties"])
    cases = []
    for kind in sorted(slots_by_kind):
        candidates = slots_by_kind[kind]
        for position, where in enumerate(("before", "after", "both")):
            for n in range(per_combination):
                b, slot = rng.choice(candidates)
                tree = load_pairs(bases[b][1])
                holder_text = None
                if slot.nested:
                    holder_path, holder_key, nested_kind = slot.nested
                    holder = walk(tree, holder_path)
                    holder_text = holder[holder_key]
                    start, end = nested_region(holder_text, nested_kind)
                    inner = load_pairs(holder_text[start:end])
                    target = walk(inner, slot.path)
                else:
                    target = walk(tree, slot.path)
                original = plain(target[slot.key])
                values = alternatives(kind, original, pools, rng)
                inject(target, slot.key, values[(n + position * per_combination) % len(values)], where, rng)
                if slot.nested:
                    holder[holder_key] = holder_text[:start] + dump(inner) + holder_text[end:]
                line = dump(tree)
                cases.append({"kind": kind, "where": where, "base": b, "line": line,
                              "python": python_reading(line, slot.nested),
                              "first": python_reading(line, slot.nested, first_wins)})
    return cases


def convert(chatfmt, path, target, workdir):
    out = os.path.join(workdir, "out.jsonl")
    rejects = os.path.join(workdir, "rejects.jsonl")
    cmd = [chatfmt, "convert", path, "-o", out, "--rejects", rejects, "--to", target, "--quiet", "--threads", "2"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"chatfmt failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr}")
    with open(rejects, encoding="utf-8") as f:
        rejected = {r["line"]: ("rejected", r["rule"], r["reason"]) for r in map(json.loads, f)}
    with open(out, encoding="utf-8") as f:
        written = iter(f.read().splitlines())
    with open(path, encoding="utf-8") as f:
        count = sum(1 for _ in f)
    return [rejected.get(n) or ("written", next(written)) for n in range(1, count + 1)]


def base_records(chatfmt, tools_path, samples, workdir):
    """The real records in every shape chatfmt reads, as (shape, line)."""
    bases = []
    with open(tools_path, encoding="utf-8") as f:
        tools = json.load(f)
    for sample in samples:
        with open(sample, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        bases += [("messages", line) for line in lines]
        # The same records carrying their tool list: XML values are then typed by the record's tools.
        bases += [("messages+tools", json.dumps(dict(json.loads(line), tools=tools), ensure_ascii=False))
                  for line in lines[::10]]
        for target, shape in (("openai", "structured"), ("qwen3-xml", "text")):
            out = os.path.join(workdir, shape + ".jsonl")
            subprocess.run([chatfmt, "convert", sample, "-o", out, "--rejects", os.path.join(workdir, "base.rejects"),
                            "--to", target, "--tools", tools_path, "--quiet"], check=False, capture_output=True)
            with open(out, encoding="utf-8") as f:
                converted = f.read().splitlines()
            bases += [(shape, line) for line in converted]
            if shape == "structured":
                # Content as a list of text parts, arguments as objects, results naming their function:
                # the other ways to write them.
                for line in converted[::10]:
                    record = json.loads(line)
                    called = "execute_code"
                    for message in record["messages"]:
                        if isinstance(message["content"], str):
                            message["content"] = [{"type": "text", "text": message["content"]}]
                        for call in message.get("tool_calls") or []:
                            call["function"]["arguments"] = json.loads(call["function"]["arguments"])
                            called = call["function"]["name"]
                        if message["role"] == "tool":
                            message["name"] = called
                    bases.append(("structured-variant", json.dumps(record, ensure_ascii=False)))
    return bases


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt")
    parser.add_argument("tools")
    parser.add_argument("samples", nargs="+")
    parser.add_argument("--per-combination", type=int, default=12, help="lines per (site, position)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        bases = base_records(args.chatfmt, args.tools, args.samples, workdir)
        cases = make_cases(bases, args.per_combination, args.seed)
        without = [c for c in cases if not has_duplicate(c["line"])]
        if without:
            failures.append(f"{len(without)} generated lines hold no duplicate key (generator bug), e.g. "
                            f"{without[0]['kind']}")
        paths = {}
        for name in ("line", "python", "first"):
            paths[name] = os.path.join(workdir, name + ".jsonl")
            with open(paths[name], "w", encoding="utf-8") as f:
                f.write("".join(c[name] + "\n" for c in cases))
        discriminating = collections.Counter()
        failed = collections.Counter()
        stats = collections.Counter()
        for target in TARGETS:
            got = convert(args.chatfmt, paths["line"], target, workdir)
            want = convert(args.chatfmt, paths["python"], target, workdir)
            first = convert(args.chatfmt, paths["first"], target, workdir)
            for n, case in enumerate(cases):
                stats[(target, want[n][0] if want[n][0] == "written" else "rejected: " + want[n][1])] += 1
                if want[n] != first[n]:
                    discriminating[case["kind"]] += 1
                if got[n] != want[n]:
                    failed[case["kind"]] += 1
                    failures.append(f"[{target}] {case['kind']} ({case['where']}), base record {case['base']}:\n"
                                    f"  line:    {case['line'][:300]}\n  chatfmt: {str(got[n])[:300]}\n"
                                    f"  Python's reading gives: {str(want[n])[:300]}")
    kinds = collections.Counter(c["kind"] for c in cases)
    # Message "name" is read and ignored (it repeats the function name), so its value never matters.
    inert = {"message.name"}
    print("site: lines with duplicates; (line, target) outcomes a first-value reader gets wrong; failures")
    for kind in sorted(kinds):
        print(f"{kind}: {kinds[kind]}; {discriminating[kind]}; {failed[kind]}")
        if kind not in inert and discriminating[kind] == 0:
            failures.append(f"{kind}: no case where the duplicate's value changes the outcome; the test of this "
                            f"key could not fail")
    for (target, outcome), n in sorted(stats.items()):
        print(f"  {target}: {n} {outcome}")
    for failure in failures[:20]:
        print("FAIL " + failure)
    checked = len(cases) * len(TARGETS)
    print(f"{len(cases)} lines with duplicate keys x {len(TARGETS)} targets: {checked - sum(failed.values())} "
          f"equal to Python's reading, {len(failures)} failures")
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
