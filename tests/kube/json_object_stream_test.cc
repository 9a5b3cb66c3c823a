#include "scheduler/kube/json_object_stream.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// Feeds `chunks` in order; returns the objects and the first error.
struct FeedResult {
  std::vector<std::string> objects;
  absl::Status status;
};

FeedResult FeedAll(JsonObjectStream& stream, const std::vector<std::string>& chunks) {
  FeedResult out;
  for (const std::string& chunk : chunks) {
    out.status = stream.Feed(chunk, [&](absl::string_view o) { out.objects.emplace_back(o); });
    if (!out.status.ok()) break;
  }
  return out;
}

FeedResult FeedAll(const std::vector<std::string>& chunks) {
  JsonObjectStream stream;
  return FeedAll(stream, chunks);
}

// Watch-like events whose strings hold every character that could confuse a
// boundary scanner: braces and brackets, escaped quotes, a backslash that ends a
// string, unicode escapes and raw UTF-8.
const std::vector<std::string>& TrickyEvents() {
  static const std::vector<std::string> events = {
      R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","labels":{"x":"}{"}}}})",
      R"({"type":"MODIFIED","object":{"metadata":{"name":"b"},"status":{"message":"say \"}\" and \"{\""}}})",
      R"({"type":"MODIFIED","object":{"metadata":{"name":"c","annotations":{"path":"C:\\dir\\"}}}})",
      R"({"type":"DELETED","object":{"metadata":{"name":"d"},"spec":{"args":["[","]]","\\\"","{"]}}})",
      R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746"}}})",
      R"({"type":"ADDED","object":{"metadata":{"name":"\u007b\u0022 é ü 日本"},"x":[[],{},[{}]]}})",
      R"({"type":"MODIFIED","object":{"x":"\\\\\\","y":"\\\\\"}{"}})",
      R"({})",
  };
  return events;
}

std::string Concat(const std::vector<std::string>& parts, absl::string_view sep) {
  std::string out;
  for (const std::string& p : parts) absl::StrAppend(&out, p, sep);
  return out;
}

struct WholeStreamCase {
  const char* name;
  std::string stream;
  std::vector<std::string> objects;
};

TEST(JsonObjectStreamTest, SplitsWholeStreamsFedAtOnce) {
  const std::vector<WholeStreamCase> cases = {
      {"empty", "", {}},
      {"only whitespace", " \r\n\t ", {}},
      {"one object", R"({"a":1})", {R"({"a":1})"}},
      {"no separator", R"({"a":1}{"b":2}{"c":3})", {R"({"a":1})", R"({"b":2})", R"({"c":3})"}},
      {"newline separated", "{\"a\":1}\n{\"b\":2}\n", {R"({"a":1})", R"({"b":2})"}},
      {"mixed whitespace", " \t{\"a\":1}\r\n \t{\"b\":2}  ", {R"({"a":1})", R"({"b":2})"}},
      {"braces in strings", R"({"s":"}{}}"}{"t":"{{"})", {R"({"s":"}{}}"})", R"({"t":"{{"})"}},
      {"escaped quote", R"({"s":"a\"}b"})", {R"({"s":"a\"}b"})"}},
      {"escaped backslash ends string", R"({"s":"a\\"}{"t":1})", {R"({"s":"a\\"})", R"({"t":1})"}},
      {"key with brace", R"({"}":"{"})", {R"({"}":"{"})"}},
      {"nested", R"({"a":{"b":[{"c":{}}],"d":[[]]}})", {R"({"a":{"b":[{"c":{}}],"d":[[]]}})"}},
      {"empty objects", "{}{}", {"{}", "{}"}},
  };
  for (const WholeStreamCase& c : cases) {
    SCOPED_TRACE(c.name);
    FeedResult r = FeedAll({c.stream});
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_THAT(r.objects, ElementsAreArray(c.objects));
  }
}

TEST(JsonObjectStreamTest, EverySingleSplitPointGivesTheSameObjects) {
  for (absl::string_view sep : {"", "\n", " \r\n"}) {
    const std::string stream = Concat(TrickyEvents(), sep);
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
      SCOPED_TRACE(absl::StrCat("separator size ", sep.size(), ", cut at ", cut));
      FeedResult r = FeedAll({stream.substr(0, cut), stream.substr(cut)});
      ASSERT_TRUE(r.status.ok()) << r.status;
      ASSERT_THAT(r.objects, ElementsAreArray(TrickyEvents()));
    }
  }
}

TEST(JsonObjectStreamTest, EveryPairOfSplitPointsGivesTheSameObjects) {
  // Three chunks: an object may start in one chunk, continue through a second and
  // end in a third; a chunk may end inside a string, right after a backslash, or
  // between objects.
  const std::vector<std::string> events(TrickyEvents().begin() + 1, TrickyEvents().begin() + 4);
  const std::string stream = Concat(events, "");
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      FeedResult r = FeedAll({stream.substr(0, a), stream.substr(a, b - a), stream.substr(b)});
      ASSERT_TRUE(r.status.ok()) << "cuts " << a << "," << b << ": " << r.status;
      ASSERT_THAT(r.objects, ElementsAreArray(events)) << "cuts " << a << "," << b;
    }
  }
}

TEST(JsonObjectStreamTest, OneByteAtATime) {
  const std::string stream = Concat(TrickyEvents(), "");
  std::vector<std::string> chunks;
  for (char c : stream) chunks.emplace_back(1, c);
  FeedResult r = FeedAll(chunks);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.objects, ElementsAreArray(TrickyEvents()));
}

// A JSON string literal for `text`.
std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TEST(JsonObjectStreamTest, RandomObjectsInRandomChunks) {
  // Strings drawn from the characters that matter to the scanner, so runs of
  // backslashes and escaped quotes fall on chunk boundaries in every way.
  std::mt19937 random(20240501);  // fixed seed: the same cases on every run
  const std::string alphabet = "\"\\{}[]a ,:";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> objects;
    std::string stream;
    const int count = 1 + static_cast<int>(random() % 5);
    for (int k = 0; k < count; ++k) {
      std::string object = "{";
      const int fields = static_cast<int>(random() % 4);
      for (int f = 0; f < fields; ++f) {
        std::string text;
        const int length = static_cast<int>(random() % 12);
        for (int c = 0; c < length; ++c) text += alphabet[random() % alphabet.size()];
        absl::StrAppend(&object, f > 0 ? "," : "", Quote(absl::StrCat("k", f)), ":[", Quote(text),
                        ",{\"n\":", Quote(text), "}]");
      }
      object += "}";
      objects.push_back(object);
      absl::StrAppend(&stream, object, random() % 2 ? "\n" : "");
    }
    std::vector<std::string> chunks;
    for (size_t at = 0; at < stream.size();) {
      const size_t size = 1 + random() % 9;
      chunks.push_back(stream.substr(at, size));
      at += size;
    }
    FeedResult r = FeedAll(chunks);
    ASSERT_TRUE(r.status.ok()) << stream << ": " << r.status;
    ASSERT_THAT(r.objects, ElementsAreArray(objects)) << stream;
  }
}

TEST(JsonObjectStreamTest, ManyObjectsInOneChunkAfterAPartialOne) {
  // The chunk completes a buffered object and holds several more, the last partial.
  JsonObjectStream stream;
  std::vector<std::string> got;
  auto sink = [&](absl::string_view o) { got.emplace_back(o); };
  ASSERT_TRUE(stream.Feed(R"({"a":"x)", sink).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(stream.pending_bytes(), 7u);
  ASSERT_TRUE(stream.Feed(R"(y"}{"b":2}{"c":3}{"d")", sink).ok());
  EXPECT_THAT(got, ElementsAre(R"({"a":"xy"})", R"({"b":2})", R"({"c":3})"));
  EXPECT_EQ(stream.pending_bytes(), 4u);  // {"d"
  ASSERT_TRUE(stream.Feed(":4}\n", sink).ok());
  EXPECT_THAT(got, ElementsAre(R"({"a":"xy"})", R"({"b":2})", R"({"c":3})", R"({"d":4})"));
  EXPECT_EQ(stream.pending_bytes(), 0u);
}

struct GarbageCase {
  const char* name;
  std::vector<std::string> chunks;
  std::vector<std::string> objects_before_error;
  std::string message;  // substring of the error
};

TEST(JsonObjectStreamTest, GarbageBetweenObjectsIsAClearError) {
  const std::vector<GarbageCase> cases = {
      {"letter first", {"x"}, {}, "expected '{' at byte 0 of the stream, found 'x' (0x78)"},
      {"array", {"[{}]"}, {}, "at byte 0 of the stream, found '[' (0x5b)"},
      {"bare string", {R"("abc")"}, {}, "found '\"' (0x22)"},
      {"stray close", {"{}}"}, {"{}"}, "at byte 2 of the stream, found '}' (0x7d)"},
      {"after objects in a later chunk",
       {"{\"a\":1}\n", "{\"b\":2} oops"},
       {R"({"a":1})", R"({"b":2})"},
       "at byte 16 of the stream, found 'o' (0x6f)"},
      {"after a buffered object", {"{\"a\":", "1};"}, {R"({"a":1})"}, "at byte 7 of the stream"},
      {"control byte", {std::string("\x01", 1)}, {}, "found (0x01)"},
      {"html error page", {"<html>"}, {}, "found '<' (0x3c)"},
  };
  for (const GarbageCase& c : cases) {
    SCOPED_TRACE(c.name);
    JsonObjectStream stream;
    FeedResult r = FeedAll(stream, c.chunks);
    EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << r.status;
    EXPECT_THAT(r.status.message(), HasSubstr(c.message));
    EXPECT_THAT(r.objects, ElementsAreArray(c.objects_before_error));
    // The error sticks; Reset starts a fresh stream.
    EXPECT_EQ(stream.Feed("{}", [](absl::string_view) { FAIL(); }), r.status);
    stream.Reset();
    FeedResult again = FeedAll(stream, {"{}"});
    EXPECT_TRUE(again.status.ok());
    EXPECT_THAT(again.objects, ElementsAre("{}"));
  }
}

TEST(JsonObjectStreamTest, OversizedObjectIsResourceExhausted) {
  JsonObjectStream stream(/*max_object_bytes=*/16);
  std::vector<std::string> got;
  auto sink = [&](absl::string_view o) { got.emplace_back(o); };
  // Objects completed within a chunk are not held, whatever their size.
  ASSERT_TRUE(stream.Feed(R"({"long":"0123456789abcdef"})", sink).ok());
  EXPECT_EQ(got.size(), 1u);
  ASSERT_TRUE(stream.Feed(R"({"a":"0123456)", sink).ok());  // 13 bytes held
  ASSERT_TRUE(stream.Feed("789", sink).ok());               // 16: at the limit
  absl::Status s = stream.Feed("a", sink);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("larger than 16 bytes"));
  EXPECT_EQ(stream.Feed("\"}", sink), s);
}

TEST(JsonObjectStreamTest, ResetForgetsAPartialObject) {
  JsonObjectStream stream;
  std::vector<std::string> got;
  auto sink = [&](absl::string_view o) { got.emplace_back(o); };
  ASSERT_TRUE(stream.Feed(R"({"a":"}{)", sink).ok());  // inside a string
  EXPECT_GT(stream.pending_bytes(), 0u);
  stream.Reset();
  EXPECT_EQ(stream.pending_bytes(), 0u);
  ASSERT_TRUE(stream.Feed(R"({"b":1})", sink).ok());
  EXPECT_THAT(got, ElementsAre(R"({"b":1})"));
}

}  // namespace
}  // namespace sluice::kube
