// One line of a rejects file: where the record was, why it was refused, and the record itself.
#pragma once

#include <string>
#include <string_view>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::detail {

/// Appends {"path", "line", "rule", "reason", "record"} and a newline. A line that is not valid
/// UTF-8 is kept byte for byte as "record_base64" instead of "record".
void append_reject_line(std::string& out, const SourceRef& source, std::string_view line, const RecordOutcome& outcome);

}  // namespace chatfmt::detail
