#include "lint/drift.hpp"

#include <algorithm>
#include <cstring>

#include "chatfmt/errors.hpp"
#include "core/json.hpp"
#include "core/normalize.hpp"
#include "core/record.hpp"

namespace chatfmt::lint {
namespace {

constexpr std::size_t kShownBytes = 16;
constexpr std::size_t kMaxDifferences = 8;  // per record, for the summary

ConvertOptions drift_options(const ConvertOptions& options, bool no_tools) {
  ConvertOptions copy = options;
  // The record's own text may hold anything; the template renders it as it is.
  copy.foreign_delimiters = ForeignDelimiterPolicy::keep;
  copy.no_tools = no_tools;
  return copy;
}

}  // namespace

std::string shown(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::vector<Difference> differences(std::string_view expected, std::string_view found, std::size_t limit) {
  std::vector<Difference> list;
  std::size_t i = 0;  // in expected
  std::size_t j = 0;  // in found
  constexpr std::size_t kAlike = 8;
  while (list.size() < limit) {
    // Eight bytes at a time to the first difference: most of two long texts is alike.
    while (i + 8 <= expected.size() && j + 8 <= found.size() && std::memcmp(&expected[i], &found[j], 8) == 0) {
      i += 8;
      j += 8;
    }
    while (i < expected.size() && j < found.size() && expected[i] == found[j]) ++i, ++j;
    if (i == expected.size() && j == found.size()) break;
    Difference d;
    d.offset = i;
    const std::size_t context_from = i > kShownBytes ? i - kShownBytes : 0;
    d.kind.context = std::string(expected.substr(context_from, i - context_from));
    // The shortest pair of stretches (fewest bytes in all) after which both texts run alike for
    // a while again (or both end): "\n" against "" for a missing newline.
    bool realigned = false;
    for (std::size_t total = 1; total <= 2 * kShownBytes && !realigned; ++total) {
      for (std::size_t a = 0; a <= total && a <= kShownBytes && !realigned; ++a) {
        const std::size_t b = total - a;
        if (b > kShownBytes || i + a > expected.size() || j + b > found.size()) continue;
        const std::string_view rest_expected = expected.substr(i + a);
        const std::string_view rest_found = found.substr(j + b);
        const std::size_t alike = std::min({kAlike, rest_expected.size(), rest_found.size()});
        const bool both_end = rest_expected.empty() && rest_found.empty();
        const bool run_alike = (alike == kAlike || rest_expected.size() == rest_found.size()) &&
                               rest_expected.substr(0, alike) == rest_found.substr(0, alike);
        if (!both_end && !run_alike) continue;
        d.kind.template_bytes = std::string(expected.substr(i, a));
        d.kind.record_bytes = std::string(found.substr(j, b));
        i += a;
        j += b;
        realigned = true;
      }
    }
    if (!realigned) {  // too different to line up again: report the start, stop
      d.kind.template_bytes = std::string(expected.substr(i, kShownBytes));
      d.kind.record_bytes = std::string(found.substr(j, kShownBytes));
      list.push_back(std::move(d));
      break;
    }
    list.push_back(std::move(d));
  }
  return list;
}

DriftCheck::DriftCheck(const std::string& template_name, const ConvertOptions& options)
    : name_(template_name),
      options_(drift_options(options, false)),
      options_without_tools_(drift_options(options, true)),
      decoded_(options.read),
      literal_(options.read, ReadSetup::Text::literal) {
  const TargetRow* row = find_target_row(template_name);
  if (row == nullptr || !row->info.writes_text) {
    std::string names;
    for (const TargetRow* target : target_rows()) {
      if (!target->info.writes_text) continue;
      names += (names.empty() ? "" : ", ") + std::string(target->info.name);
      for (auto alias : target->info.aliases) names += ", " + std::string(alias);
    }
    throw UsageError("--template '" + template_name + "' is not a chat template chatfmt renders; use one of " + names);
  }
  writer_ = row->make(options.writer);
  structured_writer_ = make_openai_writer_with_argument_objects();
}

// A record without a tool list of its own (nor --tools) is rendered without one, as a trainer
// handing its messages to the template renders it, not with the list convert would infer.
const ConvertOptions& DriftCheck::options_for(const Conversation& conversation) const {
  return conversation.tools != nullptr || decoded_.default_tools() != nullptr ? options_ : options_without_tools_;
}

void DriftCheck::rewrite(simdjson::dom::object record, std::string_view shape, const SourceRef& source,
                         std::string& line) const {
  thread_local Conversation parsed;
  detail::read_parsed_record(record, source, decoded_, parsed);
  const ConvertOptions& options = options_for(parsed);
  // The record keeps the tool list it has, or has none: normalizing may fill in --tools, which
  // the trainer hands the template itself.
  const SharedToolList own_tools = parsed.tools;
  detail::normalize(parsed, options, decoded_.shared_default_tools());
  if (shape == "chatml-text") {
    writer_->write(parsed, line);
    return;
  }
  parsed.tools = own_tools;
  structured_writer_->write(parsed, line);
}

void DriftCheck::check(simdjson::dom::object record, std::string_view shape, const SourceRef& source,
                       Conversation& parsed, bool record_has_tools, RecordFacts& facts) const {
  thread_local Conversation own;
  thread_local std::string own_text;
  thread_local std::string template_text;
  own_text.clear();
  template_text.clear();
  const bool has_tools = record_has_tools || decoded_.default_tools() != nullptr;
  // The parsed conversation comes normalized by the caller, with a tool list inferred from its
  // calls when it had none; the record's own text has none then, so neither may the template's.
  SharedToolList inferred;
  if (!has_tools) std::swap(inferred, parsed.tools);
  try {
    const bool rendered = writer_->render_text(parsed, template_text);
    if (!has_tools) std::swap(inferred, parsed.tools);
    if (!rendered) return;
    if (shape == "chatml-text") {
      std::string_view text;
      if (record["text"].get(text) != simdjson::SUCCESS) return;
      own_text.assign(text);
    } else {
      detail::read_parsed_record(record, source, literal_, own);
      detail::normalize(own, has_tools ? options_ : options_without_tools_, decoded_.shared_default_tools());
      writer_->render_text(own, own_text);
    }
  } catch (const RecordError& error) {
    if (!has_tools && inferred) std::swap(inferred, parsed.tools);
    // The template refuses the parsed conversation (the target's rules report that), or the
    // record's text as written: then what was trained on is not what the template serves.
    if (template_text.empty()) return;
    facts.drift_checked = true;
    facts.drifted = true;
    facts.drift.push_back({"", "", "(not renderable as written)"});
    facts.findings.push_back({Rule::template_drift, 0,
                              "the " + name_ + " template cannot render the record's messages as written (" +
                                  error.what() + "), though it renders them parsed: train on the parsed form " +
                                  "(chatfmt convert --to " + name_ + ")"});
    return;
  }
  facts.drift_checked = true;
  if (own_text == template_text) return;
  facts.drifted = true;
  const auto found = differences(template_text, own_text, kMaxDifferences);
  for (const auto& d : found) facts.drift.push_back(d.kind);
  const DriftKind& first = found.front().kind;
  std::string more;
  if (found.size() > 1) {
    more = " (" + std::to_string(found.size() - 1) + (found.size() == kMaxDifferences ? " or more" : "") +
           (found.size() == 2 ? " other difference further on)" : " other differences further on)");
  }
  facts.findings.push_back(
      {Rule::template_drift, 0,
       "the record's text differs from what the " + name_ + " template renders, at byte " +
           std::to_string(found.front().offset) + " after " + shown(first.context) + ": the template writes " +
           shown(first.template_bytes) + " where the record has " + shown(first.record_bytes) + more +
           "; a model trained on this text is served another; write the record as the template renders it "
           "(lint --fix, or chatfmt convert --to " +
           name_ + ")"});
}

}  // namespace chatfmt::lint
