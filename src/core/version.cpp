#include "chatfmt/version.hpp"

namespace chatfmt {

std::string_view version() { return CHATFMT_VERSION; }

}  // namespace chatfmt
