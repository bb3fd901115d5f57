// SPDX-License-Identifier: Apache-2.0
#include "core/byte_size.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(FormatGigabytes, OneDecimalRoundedHalfUp) {
  EXPECT_EQ(formatGigabytes(0), "0.0 GB");
  EXPECT_EQ(formatGigabytes(49'999'999), "0.0 GB");
  EXPECT_EQ(formatGigabytes(50'000'000), "0.1 GB");
  EXPECT_EQ(formatGigabytes(4'149'999'999), "4.1 GB");
  EXPECT_EQ(formatGigabytes(4'150'000'000), "4.2 GB");
  EXPECT_EQ(formatGigabytes(1'000'000'000'000), "1000.0 GB");
}

TEST(FormatGigabytes, TheLargestSizeDoesNotOverflow) {
  EXPECT_EQ(formatGigabytes(UINT64_MAX), "18446744073.7 GB");
}

}  // namespace
}  // namespace ibackupmon
