// What the fuzz targets share: how a broken promise is reported (abort, so libFuzzer keeps the
// input), an in-memory file for the parsers that only read paths, and the promises every record
// outcome keeps whatever the input.
#pragma once

#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/convert.hpp"
#include "chatfmt/pipeline.hpp"
#include "chatfmt/targets.hpp"
#include "chatfmt/tokenizer.hpp"
#include "core/json.hpp"
#include "core/rejects.hpp"
#include "format.hpp"

namespace chatfmt::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A promise the code makes did not hold for this input: a finding, like a crash.
[[noreturn]] inline void finding(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "\nFUZZ FINDING: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline std::string_view detail_text() { return {}; }
inline std::string_view detail_text(std::string_view detail) { return detail; }

}  // namespace chatfmt::fuzz

/// A finding unless `holds`; the detail (often a costly string) is only built for the report.
#define FUZZ_REQUIRE(holds, what, ...)                                                       \
  do {                                                                                       \
    if (!(holds)) ::chatfmt::fuzz::finding(what, ::chatfmt::fuzz::detail_text(__VA_ARGS__)); \
  } while (false)

namespace chatfmt::fuzz {

inline bool is_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

/// A --tools list whose parameter types cover every typing rule of XML parameter values, plus
/// the Punie tools the sample data calls.
inline const Json& typed_tools() {
  static const Json tools = Json::parse(R"([
    {"type": "function", "function": {"name": "execute_code", "parameters": {"type": "object",
      "properties": {"code": {"type": "string"}}, "required": ["code"]}}},
    {"type": "function", "function": {"name": "run_command", "description": "Run a shell command",
      "parameters": {"type": "object", "properties": {"command": {"type": "string"},
      "timeout": {"type": "integer"}}}}},
    {"name": "typed", "parameters": {"type": "object", "properties": {
      "i": {"type": "integer"}, "n": {"type": "number"}, "b": {"type": "boolean"}, "z": {"type": "null"},
      "o": {"type": "object"}, "a": {"type": "array"}, "u": {"type": ["integer", "null"]},
      "s": {"type": ["boolean", "string"]}, "x": {"enum": [1, 2]}}}}
  ])");
  return tools;
}

/// typed_tools() as the JSON text ReadOptions::tools_json takes (what --tools FILE gives).
inline const std::string& typed_tools_json() {
  static const std::string text = python_json(typed_tools());
  return text;
}

/// Standard base64 (what rejects files use for records that are not UTF-8).
inline std::string decode_base64(std::string_view text) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto value = alphabet.find(c);
    if (value == std::string_view::npos) break;  // '=' padding
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

/// The input as a file (memfd: no disk, gone when closed) for code that takes a path.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes) : fd_(memfd_create("chatfmt-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) finding("memfd_create failed (not a finding about chatfmt; check the machine)");
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) finding("writing the memfd failed (not a finding about chatfmt)");
      done += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

/// What every outcome promises: accepted or rejected with a rule and a reason, never the
/// "internal-error" that RecordConverter turns escaped exceptions into (that is a bug of ours
/// caught at run time: the fuzzer must see it), reasons valid UTF-8 (they go into the rejects
/// file), and an accepted record's line one valid JSON object without a newline.
inline void check_outcome(const RecordOutcome& outcome, std::string_view line, bool output_is_json) {
  if (outcome.accepted) {
    FUZZ_REQUIRE(outcome.rule.empty() && outcome.reason.empty(), "an accepted record carries a rejection rule",
                 std::string(outcome.rule));
    if (!output_is_json) return;
    FUZZ_REQUIRE(outcome.output.find('\n') == std::string::npos, "an output line contains a newline", outcome.output);
    JsonParseError error;
    const auto parsed = parse_json(outcome.output, error);
    FUZZ_REQUIRE(parsed.has_value() && parsed->is_object(), "an output line is not a JSON object",
                 outcome.output + "\n" + error.describe());
    return;
  }
  FUZZ_REQUIRE(outcome.rule != "internal-error", "an exception escaped the record's processing", outcome.reason);
  FUZZ_REQUIRE(!outcome.rule.empty() && !outcome.reason.empty(), "a rejection without rule or reason", line);
  FUZZ_REQUIRE(outcome.output.empty(), "a rejected record has output", outcome.output);
  FUZZ_REQUIRE(is_utf8(outcome.reason), "a rejection reason is not valid UTF-8", outcome.reason);
}

/// Whether the reader of {"text": …} records reads a target's output back: the target writes
/// text and uses every control string of that reader (ChatML's turn markers) as a delimiter. The
/// table says so of qwen3-xml alone; derived here so no fuzzer names a target.
inline bool text_reader_reads(const TargetInfo& info) {
  if (!info.writes_text) return false;
  const auto delimiters = info.delimiters();
  for (const RecordReader* reader : readers()) {
    if (reader->shape_key() != "text") continue;
    const auto controls = reader->control_strings();
    return !controls.empty() && std::all_of(controls.begin(), controls.end(), [&](std::string_view control) {
      return std::find(delimiters.begin(), delimiters.end(), control) != delimiters.end();
    });
  }
  return false;
}

/// A target with the options of one `convert` run.
struct Target {
  std::string_view name;
  bool writes_text = false;  // a {"text"} target, whose trainer text is what convert writes
  std::unique_ptr<RecordConverter> converter;
  // Output the ChatML reader reads back (qwen3-xml's); not with --on-foreign-delimiter=keep,
  // which knowingly lets chat-control strings into the text.
  bool reads_back = false;
};

/// The converter of `options` and what the targets table says of its target. Options a target
/// does not honour make RecordConverter throw UsageError: callers enable only honoured ones.
inline Target make_target(const ConvertOptions& options) {
  auto converter = std::make_unique<RecordConverter>(options);
  const TargetInfo& info = converter->target();
  const bool reads_back = text_reader_reads(info) && options.foreign_delimiters == ForeignDelimiterPolicy::reject;
  return {info.name, info.writes_text, std::move(converter), reads_back};
}

/// The read-back check must not vanish because the table changed: some target reads back.
inline void require_read_back(const std::vector<Target>& targets) {
  FUZZ_REQUIRE(std::any_of(targets.begin(), targets.end(), [](const Target& t) { return t.reads_back; }),
               "no target's output is read back by the ChatML reader: the read-back check would never run");
}

/// A rejected record must be in the rejects file whole: its line parses, and the record in it is
/// the input line byte for byte (as "record", or "record_base64" when the line is not UTF-8).
inline void check_reject_line(const SourceRef& source, std::string_view line, const RecordOutcome& outcome) {
  std::string reject;
  detail::append_reject_line(reject, source, line, outcome);
  FUZZ_REQUIRE(!reject.empty() && reject.back() == '\n' && reject.find('\n') == reject.size() - 1,
               "a rejects entry is not exactly one line", reject);
  JsonParseError error;
  const auto parsed = parse_json(reject, error);
  FUZZ_REQUIRE(parsed.has_value(), "a rejects entry is not valid JSON", reject + "\n" + error.describe());
  if (parsed->contains("record_bytes")) {
    // A record too large to hold is counted, not kept: nothing to compare.
  } else if (is_utf8(line)) {
    FUZZ_REQUIRE(parsed->value("record", std::string()) == line, "the rejects entry does not hold the record", reject);
  } else {
    FUZZ_REQUIRE(decode_base64(parsed->value("record_base64", std::string())) == line,
                 "the rejects entry's record_base64 does not decode to the record", reject);
  }
}

/// Everything that must hold for one record `converted` by `target`: the outcome's promises, the
/// rejects entry, trainer_text agreeing with convert, and qwen3-xml reading back to itself.
inline void check_record(const Target& target, const SourceRef& source, std::string_view line,
                         const RecordOutcome& converted) {
  check_outcome(converted, line, true);
  if (!converted.accepted) check_reject_line(source, line, converted);

  const RecordOutcome text = target.converter->trainer_text(line, source);
  check_outcome(text, line, false);
  // `tokens` counts the very text `convert` writes (a record read through the target; a text
  // record is taken as it is, with no reader, so its shape stays empty).
  if (converted.accepted && text.accepted && target.writes_text && !text.shape.empty()) {
    std::string expected = "{\"text\": ";
    append_json_string(expected, text.output);
    expected += "}";
    FUZZ_REQUIRE(expected == converted.output, "trainer_text differs from the text convert writes",
                 converted.output + "\n" + expected);
  }

  // qwen3-xml is read back by the ChatML reader: converting its output again changes nothing
  // (or is refused with a reason; it must never turn into a different record).
  if (converted.accepted && target.reads_back) {
    const RecordOutcome again = target.converter->convert(converted.output, source);
    check_outcome(again, converted.output, true);
    FUZZ_REQUIRE(!again.accepted || again.output == converted.output, "qwen3-xml output does not read back to itself",
                 converted.output + "\n" + again.output);
  }
}

/// A tokenizer that loaded must encode: a fixed text with the delimiters of every format, and
/// some of the file's own bytes, to ids inside its vocabulary that all have a piece.
inline void check_tokenizer(const Tokenizer& tokenizer, std::string_view input) {
  static constexpr std::string_view kText =
      "<s>[INST] Hello wörld  \n\n\t  1234 don't ﬁ é é 日本語 🙂[/INST]<|im_start|>assistant\n"
      "<tool_call>\n<function=f>\n</function>\n</tool_call><|im_end|>\n[TOOL_CALLS]f[ARGS]{}</s>   ";
  for (const std::string_view text : {kText, input.substr(0, 256)}) {
    if (!is_utf8(text)) continue;  // `tokens` only encodes text from JSON strings
    std::vector<TokenId> ids;
    try {
      ids = tokenizer.encode(text);
    } catch (const TokenizerError&) {
      // libsentencepiece can load a model that then fails to encode ("all normalized characters
      // are not consumed"); that comes out as a TokenizerError, the documented way to fail.
      continue;
    }
    FUZZ_REQUIRE(text.empty() || !ids.empty(), "a text encoded to no ids");
    for (const TokenId id : ids) {
      FUZZ_REQUIRE(id >= 0 && static_cast<std::size_t>(id) < tokenizer.vocab_size(), "an id outside the vocabulary",
                   std::to_string(id) + " of " + std::to_string(tokenizer.vocab_size()));
      (void)tokenizer.id_to_piece(id);
      (void)tokenizer.is_special(id);
    }
  }
  for (const std::string_view token : {"<|im_start|>", "[INST]", "</s>", "a", ""}) {
    if (const auto id = tokenizer.token_to_id(token)) {
      FUZZ_REQUIRE(*id >= 0 && static_cast<std::size_t>(*id) < tokenizer.vocab_size(),
                   "token_to_id outside the vocabulary", token);
    }
  }
}

}  // namespace chatfmt::fuzz
