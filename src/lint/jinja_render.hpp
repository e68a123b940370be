// lint --template FILE.jinja: any chat template, rendered as transformers' apply_chat_template
// does, by tools/oracle/render_chat_template.py (embedded) on Python's jinja2, in one process per
// dataset. The records' requests are spooled to an unlinked temporary file as they come, so memory
// holds a few bytes per record, not the records.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "chatfmt/pipeline.hpp"
#include "lint/record_facts.hpp"

namespace chatfmt::lint {

extern const char* const kRenderChatTemplatePy;  ///< the renderer's source (generated at build time)

class JinjaRenderer {
 public:
  /// Throws UsageError when `template_path` is not a readable file.
  explicit JinjaRenderer(const std::string& template_path);
  ~JinjaRenderer();
  JinjaRenderer(const JinjaRenderer&) = delete;
  JinjaRenderer& operator=(const JinjaRenderer&) = delete;

  /// The record's requests (DriftCheck::check made them) to the spool, in record order.
  void add(const SourceRef& source, const RecordFacts& facts);
  using Visit =
      std::function<void(const std::string& path, std::uint64_t line, const Hash128& exact, RecordFacts& facts)>;
  /// Renders everything added since the last finish() and compares: `visit` gets each checked
  /// record, in order, with its template-drift finding (if any) and drift facts filled in. Throws
  /// UsageError when Python, jinja2 or the template fail.
  void finish(const Visit& visit);
  /// "" or a note on the records the template refused to render even parsed (not checked).
  std::string refusals_note(const std::string& dataset);

 private:
  struct Pending {
    std::uint32_t path = 0;  ///< into paths_
    RecordFacts::JinjaKind kind = RecordFacts::JinjaKind::none;
    std::uint64_t line = 0;
    Hash128 exact;
  };
  void reset();
  std::string template_path_;
  std::string name_;
  std::string bos_token_ = "<s>";
  std::string eos_token_ = "</s>";
  std::vector<std::string> paths_;
  std::vector<Pending> pending_;
  std::FILE* requests_ = nullptr;  ///< what the renderer reads
  std::FILE* own_ = nullptr;       ///< text records' own texts, JSON strings, one per line
  std::uint64_t refused_ = 0;
  std::uint64_t rendered_ = 0;
  std::string first_refusal_;
};

}  // namespace chatfmt::lint
