#include "tools/kubesim/json_writer.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(JsonWriterTest, EscapesLikeGoEncodingJson) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n\t\r<x>&\x01\xE2\x80\xA8\xE2\x80\xA9é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\r\\u003cx\\u003e\\u0026\\u0001\\u2028\\u2029é\"");
}

TEST(JsonWriterTest, InsertsCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("a", "x");
  w.Key("b");
  w.BeginArray();
  w.Int(-1);
  w.Uint(2);
  w.Bool(true);
  w.Null();
  w.Raw("{}");
  w.EndArray();
  w.KeyInt("c", 3);
  w.Key("d");
  w.Double(1.5);
  w.EndObject();
  EXPECT_EQ(out, R"({"a":"x","b":[-1,2,true,null,{}],"c":3,"d":1.5})");
}

TEST(JsonWriterTest, ContinueAfterValueResumesInsideAnObject) {
  std::string out = R"({"a":1)";
  JsonWriter w(&out);
  w.ContinueAfterValue();
  w.KeyInt("b", 2);
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":2})");
}

}  // namespace
}  // namespace sluice::kubesim
