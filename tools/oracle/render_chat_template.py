#!/usr/bin/env python3
"""Render OpenAI-style chat records through an official chat template, the way Hugging Face
transformers' apply_chat_template does (Jinja2 ImmutableSandboxedEnvironment with trim_blocks,
lstrip_blocks and loopcontrols; `tojson` = json.dumps(x, ensure_ascii=False); raise_exception;
bos_token "<s>", eos_token "</s>", add_generation_prompt False).

This is the oracle of chatfmt's differential tests: it uses Debian's python3-jinja2 only.

Input: JSONL of {"messages": [...], "tools": [...]} records. Output: one JSON line per input
record, {"text": "..."} or {"error": "..."} when the template raises.

  render_chat_template.py TEMPLATE [--arguments string|object] [--drop-text-with-tool-calls] < in > out
"""
import argparse
import json
import sys

import jinja2
import jinja2.ext
import jinja2.sandbox


class TemplateError(Exception):
    pass


def compile_template(source):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source)


def prepare(record, arguments_mode, drop_text_with_tool_calls):
    messages = record["messages"]
    for message in messages:
        for call in message.get("tool_calls") or []:
            function = call["function"]
            if arguments_mode == "object" and isinstance(function["arguments"], str):
                function["arguments"] = json.loads(function["arguments"])
        if drop_text_with_tool_calls and message["role"] == "assistant" and message.get("tool_calls"):
            message["content"] = None
    return messages, record.get("tools")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template")
    parser.add_argument("--arguments", choices=["string", "object"], default="string",
                        help="pass tool-call arguments as the JSON string the record has, or parsed")
    parser.add_argument("--drop-text-with-tool-calls", action="store_true",
                        help="set content to None on assistant messages that have tool calls")
    args = parser.parse_args()
    with open(args.template, encoding="utf-8") as f:
        template = compile_template(f.read())
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        messages, tools = prepare(record, args.arguments, args.drop_text_with_tool_calls)
        try:
            result = {"text": template.render(messages=messages, tools=tools, add_generation_prompt=False,
                                              bos_token="<s>", eos_token="</s>")}
        except Exception as error:  # the template refusing the record is an answer too
            result = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
