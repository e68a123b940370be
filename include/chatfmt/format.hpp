// Readers turn one parsed JSONL record into a Conversation; writers turn a Conversation into one
// output line. They never see each other or the pipeline. Adding a format is one file in
// converters/ plus one line in converters/registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "chatfmt/conversation.hpp"

namespace chatfmt {

/// What readers need beyond the record itself.
struct ReadOptions {
  /// Tool list used to type XML parameter values when the record has no "tools" of its own.
  const Json* default_tools = nullptr;
  /// Top-level record keys to ignore (anything else unknown is a rejection, never dropped).
  std::vector<std::string> ignored_keys;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual std::string_view name() const = 0;
  /// The top-level key that marks a record of this shape ("messages", "text").
  virtual std::string_view shape_key() const = 0;
  /// Builds the conversation; throws RecordError with a rule id when the record is unusable.
  virtual Conversation read(simdjson::dom::object record, const ReadOptions& options) const = 0;
};

/// Choices a target offers where its template would otherwise refuse a record.
struct WriterOptions {
  /// mistral-v3 only: drop assistant text that precedes tool calls (v3 refuses both in one turn).
  bool drop_text_with_tool_calls = false;
};

class Writer {
 public:
  virtual ~Writer() = default;
  /// Appends one output JSONL line (without the newline) for a normalized conversation; throws
  /// RecordError naming the target rule the conversation breaks.
  virtual void write(const Conversation& conversation, std::string& out) const = 0;
  /// The rendered text a trainer tokenizes, for targets whose records are {"text": …}; false
  /// for targets that write structured records (openai). Throws RecordError like write().
  virtual bool render_text(const Conversation& conversation, std::string& text) const {
    (void)conversation;
    (void)text;
    return false;
  }
};

/// A target whose records are {"text": …}: it renders the text, the record follows.
class TextWriter : public Writer {
 public:
  void write(const Conversation& conversation, std::string& out) const final;
  bool render_text(const Conversation& conversation, std::string& text) const override = 0;
};

struct WriterInfo {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view description;
  /// The literal strings this target uses as chat delimiters (for Gate 0 and delimiter checks).
  std::vector<std::string_view> delimiters;
  std::unique_ptr<Writer> (*make)(const WriterOptions& options);
};

/// Every target, in the order `--help` lists them.
const std::vector<WriterInfo>& writers();
/// Finds a target by name or alias; nullptr when there is none.
const WriterInfo* find_writer(std::string_view name_or_alias);
/// Every record shape, in the order they are tried.
const std::vector<const RecordReader*>& readers();

}  // namespace chatfmt
