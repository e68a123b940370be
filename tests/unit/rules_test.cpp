// The rule table is the one list of rejection reasons: these tests hold the docs and the enum to it.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "chatfmt/rules.hpp"

namespace chatfmt {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(Rules, TableFollowsTheEnumAndIdsAreUnique) {
  std::set<std::string_view> ids;
  for (std::size_t k = 0; k < rules().size(); ++k) {
    const RuleInfo& row = rules()[k];
    EXPECT_EQ(static_cast<std::size_t>(row.rule), k) << row.id << " is out of enum order";
    EXPECT_TRUE(ids.insert(row.id).second) << row.id << " appears twice";
    EXPECT_FALSE(row.summary.empty()) << row.id;
    EXPECT_EQ(find_rule(row.id), row.rule);
    EXPECT_EQ(&rule_info(row.rule), &row);
  }
  EXPECT_EQ(rules().size(), static_cast<std::size_t>(Rule::length_unchecked) + 1) << "a Rule has no row";
  EXPECT_FALSE(find_rule("no-such-rule"));
}

// Every rule has its entry in docs/rules.md (the anchor its row names), and the docs list no
// rule that does not exist.
TEST(Rules, EveryRuleIsDocumentedAndNoOther) {
  const std::string docs = read_file(std::string(CHATFMT_SOURCE_DIR) + "/docs/rules.md");
  ASSERT_FALSE(docs.empty());
  std::set<std::string> documented;
  const RE2 anchor("<a id=\"([a-z0-9-]+)\"></a>");
  re2::StringPiece rest(docs);
  std::string anchored;
  while (RE2::FindAndConsume(&rest, anchor, &anchored)) documented.insert(anchored);
  std::set<std::string> defined;
  for (const auto& row : rules()) {
    defined.insert(std::string(row.id));
    const std::string expected_anchor = "docs/rules.md#" + std::string(row.id);
    EXPECT_EQ(row.doc_anchor, expected_anchor);
    EXPECT_TRUE(documented.count(std::string(row.id))) << "rule " << row.id << " is missing from docs/rules.md";
  }
  for (const auto& id : documented) EXPECT_TRUE(defined.count(id)) << "docs/rules.md documents unknown rule " << id;
}

// Codes are unique, start with their family's letter, and find_rule takes them.
TEST(Rules, CodesAreUniqueAndNameTheirFamily) {
  std::set<std::string_view> codes;
  const std::string letters = "STFDQL";
  for (const auto& row : rules()) {
    EXPECT_TRUE(codes.insert(row.code).second) << row.code << " appears twice";
    ASSERT_EQ(row.code.size(), 4u) << row.id;
    EXPECT_EQ(row.code[0], letters[static_cast<std::size_t>(row.family)]) << row.id;
    EXPECT_EQ(find_rule(row.code), row.rule);
  }
}

}  // namespace
}  // namespace chatfmt
