#include "cli/report_file.hpp"

#include "core/file_policy.hpp"
#include "core/output_file.hpp"

namespace chatfmt::cli {

void write_report_file(const std::string& path, std::string_view text, const std::vector<std::string>& input_paths,
                       const InputOptions& input, std::string_view role) {
  std::vector<InputFile> inputs;
  for (const auto& root : input_paths) {
    auto listing = list_inputs(root, input);
    inputs.insert(inputs.end(), listing.files.begin(), listing.files.end());
  }
  detail::InputGuard guard(inputs, input_paths, false);
  guard.claim(path, role, "write the report beside the dataset, not over one of its files");
  detail::OutputFile out(path);
  out.write(text);
  out.commit();
}

}  // namespace chatfmt::cli
