#!/usr/bin/env python3
"""Render OpenAI-style chat records through an official chat template, the way Hugging Face
transformers' apply_chat_template does (Jinja2 ImmutableSandboxedEnvironment with trim_blocks,
lstrip_blocks and loopcontrols; `tojson` = json.dumps(x, ensure_ascii=False); raise_exception;
bos_token "<s>", eos_token "</s>", add_generation_prompt False).

This is the oracle of chatfmt's differential tests: it uses Debian's python3-jinja2 only.

Input: JSONL of {"messages": [...], "tools": [...]} records. Output: one JSON line per input
record, {"text": "..."} or {"error": "..."} when the template raises.

  render_chat_template.py TEMPLATE [--arguments string|object] [--drop-text-with-tool-calls]
                          [--bos-token S] [--eos-token S] < in > out

chatfmt embeds this file (`chatfmt lint --template FILE.jinja` renders with it). Exit status 3: the
template does not compile (the message names TEMPLATE:LINE); 4: jinja2 is not installed.
"""
import argparse
import json
import sys

try:
    import jinja2
    import jinja2.ext
    import jinja2.sandbox
except ImportError as error:
    print(f"render_chat_template.py: {error}: install python3-jinja2", file=sys.stderr)
    sys.exit(4)


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
    parser.add_argument("--bos-token", default="<s>", help="the template's bos_token (default <s>)")
    parser.add_argument("--eos-token", default="</s>", help="the template's eos_token (default </s>)")
    args = parser.parse_args()
    with open(args.template, encoding="utf-8") as f:
        try:
            template = compile_template(f.read())
        except jinja2.TemplateSyntaxError as error:
            print(f"{args.template}:{error.lineno}: {error.message}", file=sys.stderr)
            sys.exit(3)
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        messages, tools = prepare(record, args.arguments, args.drop_text_with_tool_calls)
        try:
            result = {"text": template.render(messages=messages, tools=tools, add_generation_prompt=False,
                                              bos_token=args.bos_token, eos_token=args.eos_token)}
        except Exception as error:  # the template refusing the record is an answer too
            result = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
