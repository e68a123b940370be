// The factories each format file provides to the one table in registry.cpp.
#pragma once

#include <memory>

#include "chatfmt/format.hpp"

namespace chatfmt {

bool is_ignored(const ReadOptions& options, std::string_view key);

const RecordReader& openai_messages_reader();
const RecordReader& qwen3_chatml_reader();

std::unique_ptr<Writer> make_openai_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_qwen3_xml_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_mistral_v3_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_mistral_v7_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_mistral_v11_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_mistral_v13_writer(const WriterOptions& options);
std::unique_ptr<Writer> make_mistral_v15_writer(const WriterOptions& options);

}  // namespace chatfmt
