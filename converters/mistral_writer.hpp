// The Mistral writer: one renderer for every tokenizer version, as the official templates render.
#pragma once

#include <memory>

#include "format.hpp"

namespace chatfmt {

enum class MistralVersion { v3, v7, v11, v13, v15 };

std::unique_ptr<Writer> make_mistral_writer(MistralVersion version, const WriterOptions& options);

}  // namespace chatfmt
