// What linting one record leaves for the rest of the run: its findings, and the few facts the
// dataset rules need (128-bit hashes, not the record: memory grows with the record count only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chatfmt/lint.hpp"
#include "chatfmt/pipeline.hpp"
#include "core/conversation.hpp"

namespace chatfmt::lint {

struct Hash128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool empty() const { return high == 0 && low == 0; }
  bool operator==(const Hash128&) const = default;
  std::string hex() const;  ///< 32 lowercase hex digits
};

struct Hash128Hasher {
  std::size_t operator()(const Hash128& hash) const { return static_cast<std::size_t>(hash.low ^ hash.high); }
};

Hash128 hash_bytes(std::string_view bytes);
/// A record's identity as duplicate-record sees it: its line's bytes, trailing whitespace aside.
Hash128 exact_hash(std::string_view line);

/// A record's finding before it has a path and line.
struct RecordFinding {
  Rule rule = Rule::internal_error;
  std::uint64_t column = 0;
  std::string message;
};

/// How a record's own text first differs from its template's rendering, for the dataset summary.
struct DriftKind {
  std::string context;         ///< the bytes both have before the difference (up to 16)
  std::string template_bytes;  ///< what the template writes there
  std::string record_bytes;    ///< what the record has instead
};

struct RecordFacts : RecordExtra {
  std::vector<RecordFinding> findings;
  /// The selected findings with their place, made on the parallel stage: the serial one only moves
  /// them into the report (a dataset can have a finding per record).
  std::vector<LintFinding> placed;
  Hash128 exact;          ///< the line's bytes (trailing whitespace aside)
  bool readable = false;  ///< the conversation could be read: the hashes below are set
  /// What the conversation teaches (content_hash's fields), every run of whitespace in a text as
  /// one space, none at its ends.
  Hash128 loose;
  Hash128 first_prompt;  ///< the first user message, whitespace as in `loose`; empty: none
  bool has_system = false;
  EncodingSet encodings = 0;  ///< every message's source encodings
  std::vector<std::string> tools_called;
  bool drift_checked = false;
  bool drifted = false;
  std::vector<DriftKind> drift;  ///< the first few differences, in order
  /// --template FILE.jinja: what the record sends the Jinja renderer (jinja_render.hpp).
  enum class JinjaKind : std::uint8_t {
    none,            ///< not checked
    text,            ///< a text record: one request (parsed); its own text in jinja_own
    messages,        ///< two requests: parsed, then as written
    literal_failed,  ///< one request (parsed); why the messages as written could not be read in jinja_own
  };
  JinjaKind jinja_kind = JinjaKind::none;
  std::string jinja_requests;  ///< JSONL lines for the renderer, each ending in '\n'
  std::string jinja_own;

  void clear();
};

/// The facts of a conversation read (encodings, tools; its hashes when `hashes`: only the
/// duplicate and leakage rules read them), into `facts`.
void collect_facts(const Conversation& conversation, bool hashes, RecordFacts& facts);

}  // namespace chatfmt::lint
