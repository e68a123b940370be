// Train/serve template drift (D): a record's own text (its messages as written, handed to the
// template without parsing the calls inside them; or a text record's text) against what the
// model's official template renders for the same conversation parsed. Our writers are those
// templates, byte for byte (tests/differential proves it against the official Jinja files).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

#include "format.hpp"
#include "lint/record_facts.hpp"

namespace chatfmt::lint {

class DriftCheck {
 public:
  /// `template_name`: a target that writes text ("qwen3-coder", "mistral-v13", ...), or a Jinja
  /// chat template file (is_jinja_template): then check() prepares the renderer's requests and
  /// JinjaRenderer compares. Throws UsageError for anything else.
  /// `arguments_as_objects`: how the Jinja renderer's requests carry tool-call arguments.
  DriftCheck(const std::string& template_name, const ConvertOptions& options, bool arguments_as_objects = true);
  const std::string& name() const { return name_; }
  bool jinja() const { return writer_ == nullptr; }
  /// Compares the record's own text with the template's rendering of `parsed` (the record read
  /// and normalized with foreign delimiters kept; its tools are restored before returning);
  /// `record_has_tools`: the record gave a tool list of its own. Adds a template-drift finding and
  /// fills facts.drift when they differ.
  void check(simdjson::dom::object record, std::string_view shape, const SourceRef& source, Conversation& parsed,
             bool record_has_tools, RecordFacts& facts) const;
  /// The record as the template renders its parsed conversation, as one line (no newline) in
  /// `line`: a message record as structured messages (tool_calls with arguments as objects,
  /// role "tool" results, the record's own "tools" if it has them), a text record as {"text":
  /// the template's text}. What lint --fix writes for a record check() found drifting. Throws
  /// RecordError.
  void rewrite(simdjson::dom::object record, std::string_view shape, const SourceRef& source, std::string& line) const;

 private:
  const ConvertOptions& options_for(const Conversation& conversation) const;
  void prepare_jinja(simdjson::dom::object record, std::string_view shape, const SourceRef& source,
                     Conversation& parsed, bool has_tools, RecordFacts& facts) const;
  std::string name_;
  ConvertOptions options_;
  ConvertOptions options_without_tools_;
  ReadSetup decoded_;
  ReadSetup literal_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Writer> structured_writer_;
};

struct Difference {
  std::size_t offset = 0;  ///< in the expected text
  DriftKind kind;
};

/// Where two texts differ, in order, at most `limit` places: at each, the bytes before (up to 16)
/// and the shortest stretch of each after which the two run alike again (up to 16 bytes each).
std::vector<Difference> differences(std::string_view expected, std::string_view found, std::size_t limit);

/// The template-drift finding, and the summary's ways, of a record whose own text (`found`)
/// differs from `expected`, the template's rendering of it parsed; marks the record checked either
/// way. `advice`: what to do, the end of the message.
void report_drift(std::string_view template_name, std::string_view expected, std::string_view found,
                  std::string_view advice, RecordFacts& facts);
/// The finding of a record the template renders parsed but not as written (`error`: why not);
/// `parsed_form` says how to get the parsed form.
void report_unrenderable(std::string_view template_name, std::string_view error, std::string_view parsed_form,
                         RecordFacts& facts);

/// A short stretch of text shown in a message: JSON-escaped, quoted.
std::string shown(std::string_view text);

}  // namespace chatfmt::lint
