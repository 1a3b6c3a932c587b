#include "base/wildcard.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::base {
namespace {

TEST(Wildcard, StarsAndQuestionMarks) {
  EXPECT_TRUE(wildcard_match("arn:aws:s3:::b/public/*", "arn:aws:s3:::b/public/a/b.txt"));
  EXPECT_FALSE(wildcard_match("arn:aws:s3:::b/public/*", "arn:aws:s3:::b/private/x"));
  EXPECT_TRUE(wildcard_match("s3:Get*", "s3:getobject", true));
  EXPECT_FALSE(wildcard_match("s3:Get*", "s3:getobject"));
  EXPECT_TRUE(wildcard_match("a?c", "abc"));
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXbXd"));
  // A star in the text does not stop the pattern's star from spanning it.
  EXPECT_TRUE(wildcard_match("*a", "*ba"));
  // Backtracking stays linear-ish on a hostile pattern.
  EXPECT_FALSE(wildcard_match(std::string(200, '*') + "b", std::string(100000, 'a')));
}

}  // namespace
}  // namespace nimbus::base
