#include "scheduler/common/quantity.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

using Format = Quantity::Format;
constexpr Format kDec = Format::kDecimalSI;
constexpr Format kBin = Format::kBinarySI;
constexpr Format kExp = Format::kDecimalExponent;

// Expected canonical strings come from k8s.io/apimachinery's quantity_test.go
// (TestQuantityParse values, TestQuantityString, TestQuantityParseEmit) or are
// derived from CanonicalizeBytes' rules noted beside them.
struct ParseCase {
  const char* input;
  const char* canonical;
  Format format;
};

const ParseCase kParseCases[] = {
    // Zeros keep the suffix's format but always print "0".
    {"0", "0", kDec},
    {"0n", "0", kDec},
    {"0u", "0", kDec},
    {"0m", "0", kDec},
    {"0Ki", "0", kBin},
    {"0k", "0", kDec},
    {"0Mi", "0", kBin},
    {"0T", "0", kDec},
    {"-0", "0", kDec},
    {"0.000", "0", kDec},
    {"0e5", "0", kExp},
    // Kubernetes' scanner reads a missing number as zero.
    {".", "0", kDec},
    {"-.", "0", kDec},
    {"+", "0", kDec},
    {"Ki", "0", kBin},
    // Plain numbers and decimal suffixes.
    {"1", "1", kDec},
    {"9", "9", kDec},
    {"+1", "1", kDec},
    {"-1", "-1", kDec},
    {"5n", "5n", kDec},
    {"4u", "4u", kDec},
    {"3m", "3m", kDec},
    {"8k", "8k", kDec},
    {"50k", "50k", kDec},
    {"7M", "7M", kDec},
    {"6G", "6G", kDec},
    {"5T", "5T", kDec},
    {"40T", "40T", kDec},
    {"300T", "300T", kDec},
    {"2P", "2P", kDec},
    {"1E", "1E", kDec},
    {"12E", "12E", kDec},
    {"1000M", "1G", kDec},
    {"1000m", "1", kDec},
    {"1000000000n", "1", kDec},
    {"1.5", "1500m", kDec},
    {"-1.5", "-1500m", kDec},
    {"100.035k", "100035", kDec},
    {"10.035M", "10035k", kDec},
    {"9.01", "9010m", kDec},
    {"8.1k", "8100", kDec},
    {"7.123456M", "7123456", kDec},
    {"6.987654321G", "6987654321", kDec},
    {"5.444T", "5444G", kDec},
    {"40.1T", "40100G", kDec},
    {"300.2T", "300200G", kDec},
    {"2.5P", "2500T", kDec},
    {"1.01E", "1010P", kDec},
    {"0.001", "1m", kDec},
    {"0.0005k", "500m", kDec},
    {"0.00500", "5m", kDec},
    {"0.50000", "500m", kDec},
    {".001", "1m", kDec},
    {".5", "500m", kDec},
    {"1.", "1", kDec},
    {"1.G", "1G", kDec},
    {".0001k", "100m", kDec},
    {"0.1m", "100u", kDec},
    {"1080m", "1080m", kDec},
    {"1.08", "1080m", kDec},
    {"0.001T", "1G", kDec},
    {"007", "7", kDec},
    // Binary suffixes.
    {"1Ki", "1Ki", kBin},
    {"8Ki", "8Ki", kBin},
    {"7Mi", "7Mi", kBin},
    {"6Gi", "6Gi", kBin},
    {"5Ti", "5Ti", kBin},
    {"4Pi", "4Pi", kBin},
    {"3Ei", "3Ei", kBin},
    {"7Ei", "7Ei", kBin},
    {"100Ti", "100Ti", kBin},
    {"1024Mi", "1Gi", kBin},
    {"307200Ki", "300Mi", kBin},
    {"1025024Mi", "1001Gi", kBin},
    {"1.5Gi", "1536Mi", kBin},
    {"-1.5Gi", "-1536Mi", kBin},
    {"0.5Mi", "512Ki", kBin},
    {"1025Ki", "1025Ki", kBin},
    // BinarySI below 1024 or with a fraction prints as DecimalSI.
    {"0.5Ki", "512", kBin},
    {"1.1Ki", "1126400m", kBin},
    {"100.035Ki", "102435840m", kBin},
    {"0.05Gi", "53687091200m", kBin},
    {"0.025Ti", "27487790694400m", kBin},
    // Binary values strictly between -1 and 1 switch to DecimalSI at parse.
    {".001Ki", "1024m", kBin},  // 1.024 is not below 1: stays BinarySI
    {".000001Ki", "1024u", kDec},
    {".000000001Ki", "1024n", kDec},
    {".000000000001Ki", "2n", kDec},
    {"-.001Ki", "-1024m", kBin},
    // Binary values above 2^63-1 are capped there, as Kubernetes does.
    {"8Ei", "9223372036854775807", kBin},
    {"9Ei", "9223372036854775807", kBin},
    {"-9Ei", "-9223372036854775807", kBin},
    {"9223372036854775807Ki", "9223372036854775807", kBin},
    {"123456789012345678901234567890Ki", "9223372036854775807", kBin},
    // Decimal exponents.
    {"1E-3", "1e-3", kExp},
    {"1e3", "1e3", kExp},
    {"2e3", "2e3", kExp},
    {"1E6", "1e6", kExp},
    {"1e9", "1e9", kExp},
    {"1E12", "1e12", kExp},
    {"1e15", "1e15", kExp},
    {"1E18", "1e18", kExp},
    {"1e14", "100e12", kExp},
    {"1e13", "10e12", kExp},
    {"2e1", "20", kExp},
    {"0.5e0", "500e-3", kExp},
    {"0.5e-1", "50e-3", kExp},
    {"0.5e-2", "5e-3", kExp},
    {"1.2e3", "1200", kExp},
    {"1.3E+6", "1300e3", kExp},
    {"1.40e9", "1400e6", kExp},
    {"1.53E12", "1530e9", kExp},
    {"1.6e15", "1600e12", kExp},
    {"1.7E18", "1700e15", kExp},
    {"80e-3", "80e-3", kExp},
    {"1e007", "10e6", kExp},
    // Below the nano: rounded up, away from zero.
    {"3.001n", "4n", kDec},
    {"1.1E-9", "2e-9", kExp},
    {"0.0000000001", "1n", kDec},
    {"0.0000000005", "1n", kDec},
    {"0.00000000050", "1n", kDec},
    {"0.5e-9", "1e-9", kExp},
    {"0.9n", "1n", kDec},
    {"-0.9n", "-1n", kDec},
    {"0.00000012345", "124n", kDec},
    {"0.00000012354", "124n", kDec},
    {"1e-2147483647", "1e-9", kExp},
    // Past the E suffix DecimalSI prints in exponent form (current Kubernetes).
    {"1000E", "1e21", kDec},
    {"5000E", "5e21", kDec},
    {"1000000E", "1e24", kDec},
    {"1e21", "1e21", kExp},
    // Large values, exact (more than 19 significant digits take the slow path).
    {"123456789012345678901234567", "123456789012345678901234567", kDec},
    {"12345678901234567890.123456789123", "12345678901234567890123456790n", kDec},
    {"-12345678901234567890.123456789123", "-12345678901234567890123456790n", kDec},
    {"170141183460469231731687303715884105727n", "170141183460469231731687303715884105727n", kDec},
    {"1e29", "100e27", kExp},
    {"0.00000000000000000000000000000000000001", "1n", kDec},
    {"1.0000000000000000000000000000000000001", "1000000001n", kDec},
    {"1.0000000000000000000000000000000000001Ki", "1024000000001n", kBin},
};

TEST(QuantityParseTest, ParsesAndPrintsCanonically) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Quantity> q = Quantity::Parse(c.input);
    ASSERT_TRUE(q.ok()) << q.status();
    EXPECT_EQ(q->String(), c.canonical);
    EXPECT_EQ(std::string(FormatName(q->format())), std::string(FormatName(c.format)));
  }
}

TEST(QuantityParseTest, CanonicalFormRoundTrips) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Quantity> q = Quantity::Parse(c.input);
    ASSERT_TRUE(q.ok());
    absl::StatusOr<Quantity> again = Quantity::Parse(q->String());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *q);
    EXPECT_EQ(again->String(), q->String());
  }
}

TEST(QuantityParseTest, SignsMirror) {
  for (const ParseCase& c : kParseCases) {
    const std::string input = c.input;
    if (input[0] == '-' || input[0] == '+') continue;
    SCOPED_TRACE(input);
    absl::StatusOr<Quantity> plain = Quantity::Parse(input);
    absl::StatusOr<Quantity> pos = Quantity::Parse("+" + input);
    absl::StatusOr<Quantity> neg = Quantity::Parse("-" + input);
    ASSERT_TRUE(plain.ok() && pos.ok() && neg.ok());
    EXPECT_EQ(*pos, *plain);
    EXPECT_EQ(*neg, -*plain);
    EXPECT_EQ(neg->format(), plain->format());
    if (!plain->IsZero()) {
      EXPECT_EQ(neg->String(), "-" + plain->String());
    }
  }
}

TEST(QuantityParseTest, ExactNanoValues) {
  EXPECT_EQ(Quantity::Parse("1n")->nanos(), 1);
  EXPECT_EQ(Quantity::Parse("1")->nanos(), 1'000'000'000);
  EXPECT_EQ(Quantity::Parse("1Ki")->nanos(), absl::int128(1024) * 1'000'000'000);
  EXPECT_EQ(Quantity::Parse("8Ei")->nanos(),
            absl::int128(std::numeric_limits<int64_t>::max()) * 1'000'000'000);
  EXPECT_EQ(Quantity::Parse("7Ei")->Value(), int64_t{7} << 60);
  EXPECT_EQ(Quantity::Parse("170141183460469231731687303715884105727n")->nanos(),
            Quantity::MaxNanos());
}

// Up to 19 significant digits take the fast path, whose range check is an
// overflow-checked multiply: the boundary of the range, and products that
// overflow 128 bits.
TEST(QuantityParseTest, FastPathRangeBoundary) {
  // 17014118346046923e13 is 1.7014118346046923e38 nano-units <= 2^127-1.
  absl::StatusOr<Quantity> at_limit = Quantity::Parse("17014118346046923e13");
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->nanos(), absl::int128(17014118346046923) * absl::int128(1'000'000'000'000) *
                                   absl::int128(10'000'000'000));
  EXPECT_EQ(Quantity::Parse("17014118346046924e13").status().message(),
            "\"17014118346046924e13\": value too large (Sluice's limit is about 1.7e29)");
  // 1e19 * 10^38 overflows 128 bits.
  EXPECT_EQ(Quantity::Parse("9999999999999999999e29").status().message(),
            "\"9999999999999999999e29\": value too large (Sluice's limit is about 1.7e29)");
  // Binary values past the cap (here past 128 bits as nano-units) are capped.
  EXPECT_EQ(Quantity::Parse("9999999999999999999Ei")->Value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Quantity::Parse("9999999999999999999Ei")->format(), Quantity::Format::kBinarySI);
}

struct InvalidCase {
  const char* input;
  const char* message;
};

const InvalidCase kInvalidCases[] = {
    {"", "\"\": empty string"},
    {"1.5.2", "\"1.5.2\": unexpected character '.' at offset 3"},
    {"12Gb", "\"12Gb\": unknown suffix \"Gb\""},
    {"1.1.M", "\"1.1.M\": unexpected character '.' at offset 3"},
    {"1+1.0M", "\"1+1.0M\": unexpected character '.' at offset 3"},
    {"0.1mi", "\"0.1mi\": unknown suffix \"mi\""},
    {"0.1am", "\"0.1am\": unknown suffix \"am\""},
    {"aoeu", "\"aoeu\": unknown suffix \"aoeu\""},
    {".5i", "\".5i\": unknown suffix \"i\""},
    {"1i", "\"1i\": unknown suffix \"i\""},
    {"-3.01i", "\"-3.01i\": unknown suffix \"i\""},
    {"-3.01e-", "\"-3.01e-\": unknown suffix \"e-\""},
    {"1e", "\"1e\": unknown suffix \"e\""},
    {"1K", "\"1K\": unknown suffix \"K\""},
    {"1gi", "\"1gi\": unknown suffix \"gi\""},
    {"1Mib", "\"1Mib\": unknown suffix \"Mib\""},
    {"1ee3", "\"1ee3\": unknown suffix \"ee3\""},
    {"0x10", "\"0x10\": unknown suffix \"x10\""},
    {"1e1.5", "\"1e1.5\": unexpected character '.' at offset 3"},
    {" 1", "\" 1\": unexpected character ' ' at offset 0"},
    {"1 ", "\"1 \": unexpected character ' ' at offset 1"},
    {"1\tGi", "\"1\\tGi\": unexpected character '\\x09' at offset 1"},
    {"1e4294967297", "\"1e4294967297\": exponent out of range"},
    {"1E2147483648", "\"1E2147483648\": exponent out of range"},
    {"1e30", "\"1e30\": value too large (Sluice's limit is about 1.7e29)"},
    {"170141183460469231731687303715884105728n",
     "\"170141183460469231731687303715884105728n\": value too large (Sluice's limit is about "
     "1.7e29)"},
    {"-1000000000000000000000000000000",
     "\"-1000000000000000000000000000000\": value too large (Sluice's limit is about 1.7e29)"},
    {"1e2147483647", "\"1e2147483647\": value too large (Sluice's limit is about 1.7e29)"},
};

TEST(QuantityParseTest, RejectsInvalidInputWithReason) {
  for (const InvalidCase& c : kInvalidCases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Quantity> q = Quantity::Parse(c.input);
    ASSERT_FALSE(q.ok()) << q->String();
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(q.status().message(), c.message);
  }
}

TEST(QuantityParseTest, NeverCrashesOnArbitraryBytes) {
  // Every string over a small alphabet up to length 4, plus long runs.
  const std::string alphabet = "0159.+-eEiKMmnu x";
  std::vector<std::string> inputs = {""};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const std::string& prefix : inputs) {
      if (static_cast<int>(prefix.size()) != len - 1) continue;
      for (char c : alphabet) next.push_back(prefix + c);
    }
    inputs.insert(inputs.end(), next.begin(), next.end());
  }
  inputs.push_back(std::string(100000, '9'));
  inputs.push_back("0." + std::string(100000, '0') + "1Ei");
  inputs.push_back(std::string(100000, '9') + "Ei");
  inputs.push_back("1e-" + std::string(100, '9'));
  for (const std::string& input : inputs) {
    absl::StatusOr<Quantity> q = Quantity::Parse(input);
    if (q.ok()) {
      absl::StatusOr<Quantity> again = Quantity::Parse(q->String());
      ASSERT_TRUE(again.ok()) << input;
      EXPECT_EQ(*again, *q) << input;
    }
  }
  EXPECT_FALSE(Quantity::Parse(std::string(100000, '9')).ok());
  EXPECT_EQ(Quantity::Parse("0." + std::string(100000, '0') + "1Ei")->String(), "1n");
  EXPECT_EQ(Quantity::Parse(std::string(100000, '9') + "Ei")->String(), "9223372036854775807");
}

TEST(QuantityStringTest, KubernetesCanonicalTable) {
  // TestQuantityString: decQuantity(mantissa, exponent, format) -> string.
  const Quantity one_g = Quantity::FromInt(1'000'000'000);
  EXPECT_EQ(Quantity::FromInt(int64_t{1} << 30, kBin).String(), "1Gi");
  EXPECT_EQ(Quantity::FromInt(300 << 20, kBin).String(), "300Mi");
  EXPECT_EQ(Quantity::FromInt(6 * 1024, kBin).String(), "6Ki");
  EXPECT_EQ(Quantity::FromInt(int64_t{1001} << 30, kBin).String(), "1001Gi");
  EXPECT_EQ(Quantity::FromInt(int64_t{1} << 40, kBin).String(), "1Ti");
  EXPECT_EQ(Quantity::FromInt(5, kBin).String(), "5");
  EXPECT_EQ(Quantity::FromMilli(500, kBin).String(), "500m");
  EXPECT_EQ(one_g.String(), "1G");
  EXPECT_EQ(Quantity::FromMilli(1).String(), "1m");
  EXPECT_EQ(Quantity::FromMilli(80).String(), "80m");
  EXPECT_EQ(Quantity::FromMilli(1080).String(), "1080m");
  EXPECT_EQ(Quantity::FromInt(300'000'000).String(), "300M");
  EXPECT_EQ(Quantity::FromInt(1'000'000'000'000).String(), "1T");
  EXPECT_EQ(Quantity::FromMilli(1234567, kBin).String(), "1234567m");
  EXPECT_EQ(Quantity::FromInt(3000).String(), "3k");
  EXPECT_EQ(Quantity::FromInt(1025, kBin).String(), "1025");
  EXPECT_EQ(Quantity::FromInt(0, kBin).String(), "0");
  EXPECT_EQ(Quantity::FromInt(0, kExp).String(), "0");
  EXPECT_EQ(Quantity::FromInt(1'000'000'000, kExp).String(), "1e9");
  EXPECT_EQ(Quantity::FromMilli(1, kExp).String(), "1e-3");
  EXPECT_EQ(Quantity::FromNanos(1, kExp).String(), "1e-9");
  EXPECT_EQ(Quantity::FromMilli(80, kExp).String(), "80e-3");
  EXPECT_EQ(Quantity::FromInt(300'000'000, kExp).String(), "300e6");
  EXPECT_EQ(Quantity::FromInt(3000, kExp).String(), "3e3");
  EXPECT_EQ(Quantity::FromNanos(1).String(), "1n");
  EXPECT_EQ(Quantity::FromNanos(80).String(), "80n");
  EXPECT_EQ(Quantity::FromNanos(1080).String(), "1080n");
  EXPECT_EQ(Quantity::FromNanos(1000).String(), "1u");
  EXPECT_EQ(Quantity::FromNanos(80'000).String(), "80u");
  EXPECT_EQ(Quantity::FromNanos(1'080'000).String(), "1080u");
  EXPECT_EQ(Quantity::FromInt(2000, kBin).String(), "2000");
  EXPECT_EQ(Quantity::FromInt(-2000, kBin).String(), "-2000");
}

TEST(QuantityStringTest, BinaryPastEiPrintsExactDecimal) {
  // TestBinarySIPastEiArithmeticRoundTrip: 2^70 has no binary suffix.
  const absl::int128 two_pow_70 = absl::int128(1) << 70;
  const Quantity q = Quantity::FromNanos(two_pow_70 * 1'000'000'000, kBin);
  EXPECT_EQ(q.String(), "1180591620717411303424");
  EXPECT_EQ(*Quantity::Parse(q.String()), q);
  // 1024 Ei is exactly 2^70 too, but the parser caps binary input at 2^63-1.
  Quantity sum = *Quantity::Parse("4Ei");
  for (int i = 0; i < 255; ++i) sum.Add(*Quantity::Parse("4Ei"));
  EXPECT_EQ(sum, q);
  EXPECT_EQ(sum.String(), "1180591620717411303424");
  // Past Ei with trailing decimal zeros: exponent form (Kubernetes prints 10^70
  // as "10e69"; Sluice's range ends near 1.7e29, so use 2^70 * 1000).
  const Quantity thousand_times = Quantity::FromNanos(two_pow_70 * 1000 * 1'000'000'000, kBin);
  EXPECT_EQ(thousand_times.String(), "1180591620717411303424e3");
  EXPECT_EQ(*Quantity::Parse(thousand_times.String()), thousand_times);
}

TEST(QuantityTest, MilliAndIntConstructors) {
  // TestMilliNewSet and TestNewSet.
  EXPECT_EQ(Quantity::FromMilli(1).String(), "1m");
  EXPECT_EQ(Quantity::FromMilli(1000).String(), "1");
  EXPECT_EQ(Quantity::FromMilli(1234000).String(), "1234");
  EXPECT_EQ(Quantity::FromMilli(1024, kBin).String(), "1024m");
  EXPECT_EQ(Quantity::FromMilli(1000000, kExp).String(), "1e3");
  EXPECT_EQ(Quantity::FromMilli(1024 * 1024, kBin).String(), "1048576m");
  EXPECT_EQ(Quantity::FromInt(1).String(), "1");
  EXPECT_EQ(Quantity::FromInt(1000).String(), "1k");
  EXPECT_EQ(Quantity::FromInt(1234000).String(), "1234k");
  EXPECT_EQ(Quantity::FromInt(1024, kBin).String(), "1Ki");
  EXPECT_EQ(Quantity::FromInt(1000000, kExp).String(), "1e6");
  EXPECT_EQ(Quantity::FromInt(1024 * 1024, kBin).String(), "1Mi");
  EXPECT_EQ(Quantity::FromInt(2, kBin).format(), kBin);
  EXPECT_EQ(Quantity::FromMilli(500).MilliValue(), 500);
  EXPECT_EQ(Quantity::FromInt(std::numeric_limits<int64_t>::min()).Value(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Quantity::FromNanos(-Quantity::MaxNanos() - 1),
            -Quantity::FromNanos(Quantity::MaxNanos()));
  EXPECT_TRUE(Quantity().IsZero());
  EXPECT_EQ(Quantity().String(), "0");
}

TEST(QuantityTest, ValueAndMilliValueRoundAwayFromZero) {
  // TestNegativeValueRoundsAwayFromZero.
  struct Case {
    const char* input;
    int64_t value;
    int64_t milli;
  };
  const Case cases[] = {
      {"-.484785E-7466", -1, -1},
      {".484785E-7466", 1, 1},
      {"-.484785E-1", -1, -49},
      {".484785E-1", 1, 49},
      {"-0.0005", -1, -1},
      {"0.0005", 1, 1},
      {"-1500m", -2, -1500},
      {"1500m", 2, 1500},
      {"-9.5000000001Gi", -10200547329, -10200547328108},
      {"9.5000000001Gi", 10200547329, 10200547328108},
      {"-1", -1, -1000},
      {"1", 1, 1000},
      {"0", 0, 0},
      {"0.1m", 1, 1},
      {"1Gi", 1073741824, 1073741824000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Quantity> q = Quantity::Parse(c.input);
    ASSERT_TRUE(q.ok()) << q.status();
    EXPECT_EQ(q->Value(), c.value);
    EXPECT_EQ(q->MilliValue(), c.milli);
  }
}

TEST(QuantityTest, ValueSaturatesInsteadOfWrapping) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(Quantity::Parse("1e20")->Value(), kMax);
  EXPECT_EQ(Quantity::Parse("-1e20")->Value(), kMin);
  EXPECT_EQ(Quantity::Parse("8Ei")->Value(), kMax);
  EXPECT_EQ(Quantity::Parse("8Ei")->MilliValue(), kMax);
  EXPECT_EQ(Quantity::Parse("9223372036854775")->MilliValue(), 9223372036854775000);
  EXPECT_EQ(Quantity::Parse("9223372036854776")->MilliValue(), kMax);
  EXPECT_EQ(Quantity::Parse("-9223372036854776")->MilliValue(), kMin);
}

TEST(QuantityTest, RoundUp) {
  // TestQuantityRoundUp.
  struct Case {
    const char* input;
    int exponent;
    const char* expect;
    bool exact;
  };
  const Case cases[] = {
      {"9.01", -3, "9010m", true},   {"9.01", -2, "9010m", true},   {"9.01", -1, "9100m", false},
      {"9.01", 0, "10", false},      {"9.01", 1, "10", false},      {"9.01", 2, "100", false},
      {"-9.01", -3, "-9010m", true}, {"-9.01", -2, "-9010m", true}, {"-9.01", -1, "-9100m", false},
      {"-9.01", 0, "-10", false},    {"-9.01", 1, "-10", false},    {"-9.01", 2, "-100", false},
      {"0.1m", -3, "1m", false},     {"1n", -3, "1m", false},       {"0", -3, "0", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.input, " at ", c.exponent));
    Quantity q = *Quantity::Parse(c.input);
    EXPECT_EQ(q.RoundUp(c.exponent), c.exact);
    EXPECT_EQ(q.String(), c.expect);
  }
  Quantity max = Quantity::FromNanos(Quantity::MaxNanos());
  EXPECT_FALSE(max.RoundUp(18));
  EXPECT_EQ(max.Sign(), 1);
  EXPECT_LE(max.nanos(), Quantity::MaxNanos());
}

TEST(QuantityArithmeticTest, AddKeepsTheReceiversFormatUnlessZero) {
  // TestQuantityAddZeroPreservesSuffix.
  for (const char* text : {"100m", "1Gi"}) {
    const Quantity value = *Quantity::Parse(text);
    Quantity a = value;
    EXPECT_TRUE(a.Add(*Quantity::Parse("0")));
    EXPECT_EQ(a.String(), text);
    Quantity b = *Quantity::Parse("0");
    EXPECT_TRUE(b.Add(value));
    EXPECT_EQ(b.String(), text);
  }
  Quantity cpu = *Quantity::Parse("100m");
  cpu += *Quantity::Parse("1");
  EXPECT_EQ(cpu.String(), "1100m");
  Quantity mem = *Quantity::Parse("1Gi");
  mem += *Quantity::Parse("512Mi");
  EXPECT_EQ(mem.String(), "1536Mi");
  Quantity mixed = *Quantity::Parse("1Gi");
  mixed += *Quantity::Parse("1G");
  EXPECT_EQ(mixed.format(), kBin);
  EXPECT_EQ(mixed.String(), "2073741824");
  EXPECT_EQ((*Quantity::Parse("1.5") + *Quantity::Parse("500m")).String(), "2");
}

TEST(QuantityArithmeticTest, Sub) {
  // TestSub and TestQuantitySubZeroPreservesSuffix.
  EXPECT_EQ((Quantity::FromInt(10) - Quantity::FromInt(10)).String(), "0");
  Quantity a = Quantity::FromInt(10, kDec);
  a.Sub(Quantity::FromInt(1, kBin));
  EXPECT_EQ(a.format(), kDec);
  EXPECT_EQ(a.String(), "9");
  Quantity b = Quantity::FromInt(10, kBin);
  b.Sub(Quantity::FromInt(1, kDec));
  EXPECT_EQ(b.format(), kBin);
  Quantity zero;
  zero.Sub(*Quantity::Parse("1Gi"));
  EXPECT_EQ(zero.String(), "-1Gi");
  Quantity c = *Quantity::Parse("100m");
  c -= Quantity();
  EXPECT_EQ(c.String(), "100m");
}

TEST(QuantityArithmeticTest, NegAndSign) {
  Quantity q = *Quantity::Parse("9.01");
  q.Neg();
  EXPECT_EQ(q.String(), "-9010m");  // TestQuantityNeg
  EXPECT_EQ(q.Sign(), -1);
  EXPECT_EQ((-q).Sign(), 1);
  EXPECT_EQ(Quantity().Sign(), 0);
  Quantity bin = Quantity::FromInt(10, kBin);
  bin.Neg();
  EXPECT_EQ(bin.format(), kBin);
  EXPECT_EQ(bin.Value(), -10);
}

TEST(QuantityArithmeticTest, SaturatesAtTheEdgesOfTheRange) {
  const Quantity max = Quantity::FromNanos(Quantity::MaxNanos());
  Quantity a = max;
  EXPECT_FALSE(a.Add(Quantity::FromNanos(1)));
  EXPECT_EQ(a, max);
  Quantity b = -max;
  EXPECT_FALSE(b.Sub(Quantity::FromNanos(1)));
  EXPECT_EQ(b, -max);
  Quantity c = max;
  EXPECT_FALSE(c.Add(max));
  EXPECT_EQ(c, max);
  Quantity d = -max;
  EXPECT_FALSE(d.Sub(max));
  EXPECT_EQ(d, -max);
  Quantity e = max;
  EXPECT_TRUE(e.Sub(max));
  EXPECT_TRUE(e.IsZero());
  Quantity f = -max;
  EXPECT_TRUE(f.Add(max));
  EXPECT_TRUE(f.IsZero());
}

TEST(QuantityArithmeticTest, CompareByValue) {
  // TestQuantityCmp.
  EXPECT_EQ(Quantity::Parse("0")->Cmp(*Quantity::Parse("0")), 0);
  EXPECT_EQ(Quantity::Parse("100m")->Cmp(*Quantity::Parse("50m")), 1);
  EXPECT_EQ(Quantity::Parse("50m")->Cmp(*Quantity::Parse("100m")), -1);
  EXPECT_EQ(Quantity::Parse("10000T")->Cmp(*Quantity::Parse("100Gi")), 1);
  EXPECT_EQ(*Quantity::Parse("1Gi"), *Quantity::Parse("1073741824"));
  EXPECT_EQ(*Quantity::Parse("1"), *Quantity::Parse("1000m"));
  EXPECT_LT(*Quantity::Parse("999m"), *Quantity::Parse("1"));
  EXPECT_GT(*Quantity::Parse("1001m"), *Quantity::Parse("1"));
  EXPECT_LT(*Quantity::Parse("-1"), Quantity());
  EXPECT_LE(*Quantity::Parse("1k"), *Quantity::Parse("1000"));
}

}  // namespace
}  // namespace sluice
