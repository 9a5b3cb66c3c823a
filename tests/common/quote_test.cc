#include "scheduler/common/quote.h"

#include <string>

#include "gtest/gtest.h"

namespace sluice {
namespace {

TEST(QuoteForMessageTest, EscapesLikeGoPercentQ) {
  EXPECT_EQ(QuoteForMessage(""), "\"\"");
  EXPECT_EQ(QuoteForMessage("1.5.2"), "\"1.5.2\"");
  EXPECT_EQ(QuoteForMessage("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(QuoteForMessage("tab\there\nnl"), "\"tab\\there\\nnl\"");
  EXPECT_EQ(QuoteForMessage(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(QuoteForMessage(std::string("nul\0x", 5)), "\"nul\\x00x\"");
}

TEST(QuoteForMessageTest, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(QuoteForMessage("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(QuoteForMessage("\xe2\x82\xac"), "\"\xe2\x82\xac\"");
  EXPECT_EQ(QuoteForMessage("\xff"), "\"\\xff\"");
  EXPECT_EQ(QuoteForMessage("\xc3"), "\"\\xc3\"");                    // truncated sequence
  EXPECT_EQ(QuoteForMessage("\xc0\xaf"), "\"\\xc0\\xaf\"");           // overlong form
  EXPECT_EQ(QuoteForMessage("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // surrogate
}

TEST(QuoteForMessageTest, TruncatesLongValues) {
  EXPECT_EQ(QuoteForMessage("abcdef", 3), "\"abc\"...");
  EXPECT_EQ(QuoteForMessage("abc", 3), "\"abc\"");
  EXPECT_EQ(QuoteForMessage(std::string(1000, 'x')).size(), 256u + 5u);
}

}  // namespace
}  // namespace sluice
