// chatfmt formats [--json]: the one table of formats as users and scripts see it — targets with
// their control strings and options, source encodings, the refused control strings, rule ids.
#include <cstdio>

#include "chatfmt/convert.hpp"
#include "chatfmt/rules.hpp"
#include "cli/commands.hpp"
#include "cli/report_json.hpp"

namespace chatfmt::cli {
namespace {

std::string_view use_name(ControlUse use) {
  switch (use) {
    case ControlUse::delimiter:
      return "delimiter";
    case ControlUse::markup:
      return "markup";
    case ControlUse::reserved:
      return "reserved";
  }
  return "delimiter";
}

std::string_view flag_of(WriterOption option) {
  for (const auto& info : writer_options()) {
    if (info.option == option) return info.flag;
  }
  return {};
}

ReportJson formats_json() {
  ReportJson target_list = ReportJson::array();
  for (const TargetInfo* target : targets()) {
    ReportJson controls = ReportJson::array();
    for (const auto& control : target->control_strings) {
      controls.push_back(ReportJson{{"text", control.text}, {"use", use_name(control.use)}});
    }
    ReportJson options = ReportJson::array();
    for (const WriterOption option : target->options) options.push_back(flag_of(option));
    target_list.push_back(ReportJson{{"name", target->name},
                                     {"aliases", target->aliases},
                                     {"description", target->description},
                                     {"writes_text", target->writes_text},
                                     {"default", target->name == find_target(kDefaultTarget)->name},
                                     {"control_strings", controls},
                                     {"options", options}});
  }
  ReportJson encoding_list = ReportJson::array();
  for (const auto& encoding : encodings()) {
    encoding_list.push_back(ReportJson{{"name", encoding.name},
                                       {"kind", encoding.kind == EncodingKind::tool_call ? "tool-call" : "tool-result"},
                                       {"summary", encoding.summary}});
  }
  ReportJson rule_list = ReportJson::array();
  for (const auto& rule : rules()) {
    rule_list.push_back(ReportJson{{"id", rule.id}, {"summary", rule.summary}, {"doc", rule.doc_anchor}});
  }
  return ReportJson{{"targets", target_list},
                    {"encodings", encoding_list},
                    {"refused_control_strings", control_strings_of_all_formats()},
                    {"default_tool_result_prefix", kDefaultToolResultPrefix},
                    {"rules", rule_list}};
}

void print_formats() {
  std::printf("Targets (--to):\n");
  for (const TargetInfo* target : targets()) {
    std::printf("  %.*s", static_cast<int>(target->name.size()), target->name.data());
    for (auto alias : target->aliases) std::printf(" (alias %.*s)", static_cast<int>(alias.size()), alias.data());
    if (target->name == find_target(kDefaultTarget)->name) std::printf(" [default]");
    std::printf("\n    %.*s\n", static_cast<int>(target->description.size()), target->description.data());
    if (!target->writes_text) std::printf("    writes structured records, no text\n");
    const auto delimiters = target->delimiters();
    if (!delimiters.empty()) {
      std::printf("    delimiters (Gate 0):");
      for (auto d : delimiters) std::printf(" %.*s", static_cast<int>(d.size()), d.data());
      std::printf("\n");
    }
    for (const WriterOption option : target->options) {
      const auto flag = flag_of(option);
      std::printf("    option %.*s\n", static_cast<int>(flag.size()), flag.data());
    }
  }
  std::printf("Source encodings (detect):\n");
  for (const auto& encoding : encodings()) {
    std::printf("  %-22.*s %s: %.*s\n", static_cast<int>(encoding.name.size()), encoding.name.data(),
                encoding.kind == EncodingKind::tool_call ? "call  " : "result",
                static_cast<int>(encoding.summary.size()), encoding.summary.data());
  }
  std::printf("Refused inside content (rule foreign-delimiter):\n ");
  for (auto s : control_strings_of_all_formats()) std::printf(" %.*s", static_cast<int>(s.size()), s.data());
  std::printf("\n");
}

}  // namespace

void add_formats_command(CLI::App& app, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("formats", "List the targets, source encodings, control strings and rule ids");
  cmd->add_flag("--json", *json, "print them as JSON");
  cmd->callback([json, &exit_code] {
    if (*json) {
      std::printf("%s\n", formats_json().dump(2).c_str());
    } else {
      print_formats();
    }
    exit_code = 0;
  });
}

}  // namespace chatfmt::cli
