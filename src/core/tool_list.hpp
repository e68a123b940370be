// A tool list and its renderings, shared: the --tools list by every record of a run, an inferred
// list by every record with the same call signature (one tool signature covers almost every
// record of a file). Each rendering is made once per list, not once per record.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "core/json.hpp"

namespace chatfmt {

class ToolList {
 public:
  enum class Rendering { python_json, qwen3_tools_section, compact_json, kCount };

  explicit ToolList(Json tools) : json_(std::move(tools)) {}
  const Json& json() const { return json_; }
  bool empty() const { return json_.empty(); }

  /// The list rendered by `render` (made on first use; thread-safe: a shared list is rendered
  /// once).
  template <class Render>
  const std::string& rendered(Rendering rendering, Render&& render) const {
    Slot& slot = slots_[static_cast<std::size_t>(rendering)];
    std::call_once(slot.once, [&] { render(json_, slot.text); });
    return slot.text;
  }
  /// That rendering's JSON string body (append_json_string_body), escaped once per list: the
  /// tools block is the same in every record of a signature, and escaping it was most of the
  /// escaping of a text record.
  template <class Render>
  const std::string& rendered_escaped(Rendering rendering, Render&& render) const {
    const std::string& text = rendered(rendering, render);
    Slot& slot = escaped_[static_cast<std::size_t>(rendering)];
    std::call_once(slot.once, [&] { append_json_string_body(slot.text, text); });
    return slot.text;
  }

 private:
  struct Slot {
    std::once_flag once;
    std::string text;
  };
  Json json_;
  mutable std::array<Slot, static_cast<std::size_t>(Rendering::kCount)> slots_;
  mutable std::array<Slot, static_cast<std::size_t>(Rendering::kCount)> escaped_;
};

using SharedToolList = std::shared_ptr<const ToolList>;

}  // namespace chatfmt
