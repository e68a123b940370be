// chatfmt's version, as CMake's project() gives it: one place for --version and the reports.
#pragma once

#include <string_view>

namespace chatfmt {

std::string_view version();  ///< "0.1.0"

}  // namespace chatfmt
