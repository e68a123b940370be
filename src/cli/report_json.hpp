// The JSON reports the commands print (--json), built with nlohmann's ordered objects so keys keep
// the order the schemas list them in.
#pragma once

#include <nlohmann/json.hpp>

namespace chatfmt::cli {
using ReportJson = nlohmann::ordered_json;
}  // namespace chatfmt::cli
