#include "observability/filter_pattern.h"

#include <gtest/gtest.h>

namespace nimbus::observability {
namespace {

bool match(const char* pattern, const char* message) {
  auto p = FilterPattern::parse(pattern);
  EXPECT_TRUE(p) << pattern;
  return p && p->matches(message);
}

TEST(FilterPattern, TermsPhrasesAlternativesAndExclusions) {
  EXPECT_TRUE(match("", "anything"));
  EXPECT_TRUE(match("ERROR", "[ERROR] it broke"));
  EXPECT_FALSE(match("error", "[ERROR] it broke"));  // case-sensitive, as CloudWatch
  EXPECT_TRUE(match("ERROR broke", "[ERROR] it broke"));
  EXPECT_FALSE(match("ERROR timeout", "[ERROR] it broke"));
  EXPECT_TRUE(match("\"it broke\"", "[ERROR] it broke"));
  EXPECT_FALSE(match("\"broke it\"", "[ERROR] it broke"));
  EXPECT_TRUE(match("?WARN ?ERROR", "[ERROR] x"));
  EXPECT_FALSE(match("?WARN ?ERROR", "[INFO] x"));
  EXPECT_FALSE(match("ERROR -broke", "[ERROR] it broke"));
  EXPECT_TRUE(match("ERROR -timeout", "[ERROR] it broke"));
}

TEST(FilterPattern, RefusesWhatItDoesNotImplement) {
  EXPECT_FALSE(FilterPattern::parse("{ $.level = \"ERROR\" }"));
  EXPECT_FALSE(FilterPattern::parse("[ip, user]"));
  EXPECT_FALSE(FilterPattern::parse("\"unterminated"));
}

}  // namespace
}  // namespace nimbus::observability
