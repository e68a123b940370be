#include "lint/drift.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

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

}  // namespace chatfmt::lint

bool chatfmt::is_jinja_template(const std::string& value) {
  const auto ends_with = [&](std::string_view suffix) {
    return value.size() >= suffix.size() && value.compare(value.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::error_code error;
  return ends_with(".jinja") || ends_with(".j2") || value.find('/') != std::string::npos ||
         std::filesystem::is_regular_file(value, error);
}

namespace chatfmt::lint {

DriftCheck::DriftCheck(const std::string& template_name, const ConvertOptions& options, bool arguments_as_objects)
    : name_(template_name),
      options_(drift_options(options, false)),
      options_without_tools_(drift_options(options, true)),
      decoded_(options.read),
      literal_(options.read, ReadSetup::Text::literal) {
  structured_writer_ = make_openai_writer(arguments_as_objects);
  if (is_jinja_template(template_name)) {
    name_ = std::filesystem::path(template_name).filename().string();
    return;
  }
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
}

// A record without a tool list of its own (nor --tools) is rendered without one, as a trainer
// handing its messages to the template renders it, not with the list convert would infer.
const ConvertOptions& DriftCheck::options_for(const Conversation& conversation) const {
  return conversation.tools != nullptr || decoded_.default_tools() != nullptr ? options_ : options_without_tools_;
}

void DriftCheck::rewrite(simdjson::dom::object record, std::string_view shape, const SourceRef& source,
                         std::string& line) const {
  if (jinja()) throw UsageError("--fix rewrites drifting records with a template chatfmt renders itself");
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
  if (jinja()) {
    prepare_jinja(record, shape, source, parsed, has_tools, facts);
    return;
  }
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
    report_unrenderable(name_, error.what(), "chatfmt convert --to " + name_, facts);
    return;
  }
  report_drift(name_, template_text, own_text,
               "write the record as the template renders it (lint --fix, or chatfmt convert --to " + name_ + ")",
               facts);
}

// The two conversations check() renders, as the renderer's requests: structured messages (calls
// as objects, results as tool messages), as a trainer hands them to the template.
void DriftCheck::prepare_jinja(simdjson::dom::object record, std::string_view shape, const SourceRef& source,
                               Conversation& parsed, bool has_tools, RecordFacts& facts) const {
  thread_local Conversation own;
  SharedToolList inferred;
  if (!has_tools) std::swap(inferred, parsed.tools);
  try {
    structured_writer_->write(parsed, facts.jinja_requests);
  } catch (const RecordError&) {
    if (!has_tools) std::swap(inferred, parsed.tools);
    facts.jinja_requests.clear();
    return;  // not a conversation messages can carry: the target's rules report it
  }
  if (!has_tools) std::swap(inferred, parsed.tools);
  facts.jinja_requests += '\n';
  if (shape == "chatml-text") {
    std::string_view text;
    if (record["text"].get(text) != simdjson::SUCCESS) {
      facts.jinja_requests.clear();
      return;
    }
    facts.jinja_kind = RecordFacts::JinjaKind::text;
    facts.jinja_own.assign(text);
    return;
  }
  try {
    detail::read_parsed_record(record, source, literal_, own);
    detail::normalize(own, has_tools ? options_ : options_without_tools_, decoded_.shared_default_tools());
    const std::size_t parsed_end = facts.jinja_requests.size();
    try {
      structured_writer_->write(own, facts.jinja_requests);
    } catch (...) {
      facts.jinja_requests.resize(parsed_end);
      throw;
    }
    facts.jinja_requests += '\n';
    facts.jinja_kind = RecordFacts::JinjaKind::messages;
  } catch (const RecordError& error) {
    facts.jinja_kind = RecordFacts::JinjaKind::literal_failed;
    facts.jinja_own = error.what();
  }
}

void report_unrenderable(std::string_view template_name, std::string_view error, std::string_view parsed_form,
                         RecordFacts& facts) {
  facts.drift_checked = true;
  facts.drifted = true;
  facts.drift.push_back({"", "", "(not renderable as written)"});
  facts.findings.push_back({Rule::template_drift, 0,
                            "the " + std::string(template_name) + " template cannot render the record's messages " +
                                "as written (" + std::string(error) + "), though it renders them parsed: train on " +
                                "the parsed form (" + std::string(parsed_form) + ")"});
}

void report_drift(std::string_view template_name, std::string_view expected, std::string_view found,
                  std::string_view advice, RecordFacts& facts) {
  facts.drift_checked = true;
  if (found == expected) return;
  facts.drifted = true;
  const auto places = differences(expected, found, kMaxDifferences);
  for (const auto& d : places) facts.drift.push_back(d.kind);
  const DriftKind& first = places.front().kind;
  std::string more;
  if (places.size() > 1) {
    more = " (" + std::to_string(places.size() - 1) + (places.size() == kMaxDifferences ? " or more" : "") +
           (places.size() == 2 ? " other difference further on)" : " other differences further on)");
  }
  facts.findings.push_back({Rule::template_drift, 0,
                            "the record's text differs from what the " + std::string(template_name) +
                                " template renders, at byte " + std::to_string(places.front().offset) + " after " +
                                shown(first.context) + ": the template writes " + shown(first.template_bytes) +
                                " where the record has " + shown(first.record_bytes) + more +
                                "; a model trained on this text is served another; " + std::string(advice)});
}

}  // namespace chatfmt::lint
