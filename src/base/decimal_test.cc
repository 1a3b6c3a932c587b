#include "base/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace nimbus::base {
namespace {

TEST(Decimal, WhatSqsAndSnsTakeAsANumber) {
  for (const char* ok : {"0", "-1", "+2.5", "1e9", "1.5E-3", ".5", "5."}) EXPECT_TRUE(is_aws_decimal(ok)) << ok;
  for (const char* bad : {"", "-", "inf", "nan", "0x10", " 1", "1 ", "1e", "e5", "1.2.3", "--1"})
    EXPECT_FALSE(is_aws_decimal(bad)) << bad;
  EXPECT_TRUE(is_aws_decimal(std::string(38, '9')));
  EXPECT_FALSE(is_aws_decimal(std::string(39, '9')));
}

}  // namespace
}  // namespace nimbus::base
