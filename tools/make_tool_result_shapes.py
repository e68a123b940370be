#!/usr/bin/env python3
"""Write the same real conversations with their tool results in each encoding chatfmt reads.

  make_tool_result_shapes.py OUTDIR [INPUT.jsonl ...]

INPUT defaults to the real Punie Phase 27 records (data/samples/train.jsonl and valid.jsonl):
{"messages"} records whose assistant turns embed their calls in text and whose tool results are
<tool_response> blocks inside user turns. For every record that has tool results, one line is
written to each of these files in OUTDIR, line-aligned (line k of every file is the same
conversation, so a converter must give the same output and the same rejects for all of them):

  canonical_messages.jsonl  the record as it is
  tool_role_tagged.jsonl    each result its own {"role": "tool", "content": "<tool_response>…</tool_response>"}
  prefix_messages.jsonl     each result its own user turn "Tool result: VALUE" (or "Tool result:\\nVALUE")
  canonical_chatml.jsonl    {"text": ChatML}, each run of results one user turn of <tool_response> blocks
  prefix_chatml.jsonl       {"text": ChatML}, each result its own "Tool result: VALUE" user turn

The spellings alternate from one result to the next (tags with and without inner newlines, a space
or a newline after the prefix), so both are exercised on real values; each spelling is used only
where the value rules of docs/formats.md give back exactly the original value.

A record is skipped (and counted, with the reason) when it cannot be written in every shape as the
same conversation: other keys or non-string contents, results that do not follow the calls they
answer, a plain user turn that would read as a prefixed result, ChatML markers inside a message.
Standard library only (the tests run it with /usr/bin/python3).
"""
import argparse
import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUTS = [os.path.join(ROOT, "data", "samples", name) for name in ("train.jsonl", "valid.jsonl")]
SHAPES = ["canonical_messages", "tool_role_tagged", "prefix_messages", "canonical_chatml", "prefix_chatml"]

PREFIX = "Tool result:"
RESPONSE_OPEN = "<tool_response>"
RESPONSE_CLOSE = "</tool_response>"
TURN_OPEN = "<|im_start|>"
TURN_CLOSE = "<|im_end|>"
# Qwen3-Coder's tools section: in a first system turn, the ChatML reader would take it as the tool list.
TOOLS_INTRO = "\n\n# Tools\n\nYou have access to the following functions:\n\n<tools>"
JSON_FENCE = re.compile(r"```json[ \t]*\r?\n(.*?)```", re.S)


class Unfaithful(Exception):
    """The record cannot be written in every shape as the same conversation; the message says why."""


def result_value(body):
    """The value rule of a <tool_response> body: exactly one leading and one trailing "\\n" go."""
    if body.startswith("\n"):
        body = body[1:]
    if body.endswith("\n"):
        body = body[:-1]
    return body


def result_values(content):
    """The values of a user turn made only of <tool_response> blocks, or None for a plain turn."""
    if RESPONSE_OPEN not in content and RESPONSE_CLOSE not in content:
        return None
    values = []
    pos = 0
    while True:
        start = content.find(RESPONSE_OPEN, pos)
        gap = content[pos:] if start < 0 else content[pos:start]
        # Text beside the blocks is a rejected record canonically (tool-response-mixed), but a
        # separate user turn in the other shapes: not the same conversation.
        if gap.strip():
            raise Unfaithful("text beside <tool_response> blocks")
        if start < 0:
            return values
        end = content.find(RESPONSE_CLOSE, start)
        if end < 0 or RESPONSE_OPEN in content[start + len(RESPONSE_OPEN):end]:
            raise Unfaithful("unclosed <tool_response>")
        values.append(result_value(content[start + len(RESPONSE_OPEN):end]))
        pos = end + len(RESPONSE_CLOSE)


def count_calls(text):
    """How many calls chatfmt finds in assistant text (a cheap reading, only to check the pairing).

    A ```json fence that is not valid JSON counts as a call: chatfmt rejects it (tool-call-json) in
    every shape alike, which is worth keeping as a case.
    """
    calls = text.count("<tool_call>")
    for body in JSON_FENCE.findall(text):
        try:
            parsed = json.loads(body)
        except ValueError:
            calls += 1
            continue
        calls += isinstance(parsed, dict) and "name" in parsed
    return calls


def read_turns(record):
    """The record as turns: (role, content) for plain messages, ("results", [values]) for results.

    Consecutive result turns are one run: they answer the same assistant turn.
    """
    if not isinstance(record, dict) or set(record) != {"messages"} or not isinstance(record["messages"], list):
        raise Unfaithful("not a record with only a messages list")
    turns = []
    for message in record["messages"]:
        if not isinstance(message, dict) or set(message) != {"role", "content"}:
            raise Unfaithful("a message with keys other than role and content")
        role, content = message["role"], message["content"]
        if role not in ("system", "user", "assistant") or not isinstance(content, str):
            raise Unfaithful("a role other than system/user/assistant, or a content that is not a string")
        values = result_values(content) if role == "user" else None
        if values is None:
            turns.append((role, content))
        elif turns and turns[-1][0] == "results":
            turns[-1][1].extend(values)
        else:
            turns.append(("results", values))
    return turns


def check_pairing(turns):
    """Each run of results must directly follow the assistant turn whose calls it answers, all of them.

    Only then does a prefixed user turn mean a result in the prefix shapes exactly where a block
    does in the canonical one; a record whose results and calls do not pair up would be rejected
    canonically but read differently (as user turns) in the prefix shapes.
    """
    for i, (role, content) in enumerate(turns):
        if role == "results":
            if i == 0 or turns[i - 1][0] != "assistant":
                raise Unfaithful("results that do not follow an assistant turn")
            if len(content) != count_calls(turns[i - 1][1]):
                raise Unfaithful("a run of results not as long as the calls it answers")
        elif role == "user" and content.startswith(PREFIX):
            raise Unfaithful(f"a plain user turn starting with {PREFIX!r}")


def check_chatml(turns):
    """A message the ChatML reader would split differently cannot be written as ChatML text."""
    for i, (role, content) in enumerate(turns):
        texts = content if role == "results" else [content]
        if any(TURN_OPEN in t or TURN_CLOSE in t for t in texts):
            raise Unfaithful("a ChatML turn marker inside a message")
        if i == 0 and role == "system" and TOOLS_INTRO in content:
            raise Unfaithful("a system turn that reads as Qwen3-Coder's tools section")


class Spellings:
    """Alternates the spelling of results across a shape file, one result after another."""

    def __init__(self):
        self.count = 0

    def next_is_compact(self):
        self.count += 1
        return self.count % 2 == 0

    def tagged(self, value):
        # Without inner newlines only when the value rule has nothing of the value's own to strip.
        if self.next_is_compact() and not value.startswith("\n") and not value.endswith("\n"):
            return RESPONSE_OPEN + value + RESPONSE_CLOSE
        return RESPONSE_OPEN + "\n" + value + "\n" + RESPONSE_CLOSE

    def prefixed(self, value):
        return PREFIX + ("\n" if self.next_is_compact() else " ") + value


def messages_line(turns, result_messages):
    """A {"messages"} line; result_messages(values) gives the messages that carry one run of results."""
    messages = []
    for role, content in turns:
        if role == "results":
            messages.extend(result_messages(content))
        else:
            messages.append({"role": role, "content": content})
    return json.dumps({"messages": messages}, ensure_ascii=False)


def chatml_line(turns, result_turns):
    """A {"text"} ChatML line; result_turns(values) gives the user turn contents of one run of results."""
    parts = []
    for role, content in turns:
        contents = result_turns(content) if role == "results" else [content]
        role = "user" if role == "results" else role
        parts.extend(f"{TURN_OPEN}{role}\n{c}{TURN_CLOSE}\n" for c in contents)
    return json.dumps({"text": "".join(parts)}, ensure_ascii=False)


def canonical_blocks(values):
    """One user turn per run, as Qwen3-Coder's template writes the blocks."""
    return ["\n".join(RESPONSE_OPEN + "\n" + v + "\n" + RESPONSE_CLOSE for v in values)]


def shape_lines(raw_line, turns, spellings):
    """The five lines of one conversation, by shape name; spellings: a Spellings per shape."""
    return {
        "canonical_messages": raw_line,
        "tool_role_tagged": messages_line(
            turns, lambda values: [{"role": "tool", "content": spellings["tool_role_tagged"].tagged(v)}
                                   for v in values]),
        "prefix_messages": messages_line(
            turns, lambda values: [{"role": "user", "content": spellings["prefix_messages"].prefixed(v)}
                                   for v in values]),
        "canonical_chatml": chatml_line(turns, canonical_blocks),
        "prefix_chatml": chatml_line(turns, lambda values: [spellings["prefix_chatml"].prefixed(v) for v in values]),
    }


def make_shapes(inputs, outdir):
    """Writes the shape files; returns (records read, records written, skip reasons counted)."""
    os.makedirs(outdir, exist_ok=True)
    files = {shape: open(os.path.join(outdir, shape + ".jsonl"), "w", encoding="utf-8") for shape in SHAPES}
    # One alternation per shape, so that each shape file holds both spellings.
    spellings = collections.defaultdict(Spellings)
    read = written = 0
    skipped = collections.Counter()
    try:
        for path in inputs:
            with open(path, encoding="utf-8") as f:
                for raw in f:
                    raw = raw.rstrip("\r\n")
                    if not raw.strip():
                        continue
                    read += 1
                    if RESPONSE_OPEN not in raw and RESPONSE_CLOSE not in raw:
                        continue  # no tool results: nothing to re-encode
                    try:
                        turns = read_turns(json.loads(raw))
                        if not any(role == "results" for role, _ in turns):
                            continue  # no tool results: nothing to re-encode
                        check_pairing(turns)
                        check_chatml(turns)
                    except ValueError:
                        skipped["not JSON"] += 1
                        continue
                    except Unfaithful as why:
                        skipped[str(why)] += 1
                        continue
                    for shape, line in shape_lines(raw, turns, spellings).items():
                        files[shape].write(line + "\n")
                    written += 1
    finally:
        for f in files.values():
            f.close()
    return read, written, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", help="directory for the shape files (created; files overwritten)")
    parser.add_argument("inputs", nargs="*", default=DEFAULT_INPUTS, help="JSONL files of {\"messages\"} records")
    args = parser.parse_args()
    read, written, skipped = make_shapes(args.inputs, args.outdir)
    print(f"make_tool_result_shapes.py: {read} records read, {written} with tool results written to each of "
          f"{', '.join(s + '.jsonl' for s in SHAPES)} in {args.outdir}")
    for reason, count in sorted(skipped.items()):
        print(f"  skipped {count}: {reason}")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
