#include "scheduler/kube/object_names.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

TEST(Dns1123LabelTest, AcceptsAndRejectsLikeKubernetes) {
  for (const char* ok : {"a", "main", "wait", "my-name", "123-abc", "a1"}) {
    EXPECT_THAT(Dns1123LabelError(ok), IsEmpty()) << ok;
  }
  EXPECT_THAT(Dns1123LabelError(std::string(63, 'a')), IsEmpty());
  EXPECT_EQ(Dns1123LabelError(std::string(64, 'a')), "must be no more than 63 characters");
  EXPECT_EQ(Dns1123LabelError("a.b"), "must not contain dots");
  for (const char* bad : {"", "Main", "-a", "a-", "a_b", "a b"}) {
    EXPECT_THAT(Dns1123LabelError(bad),
                StartsWith("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                           "characters or '-', and must start and end with an alphanumeric "
                           "character (e.g. 'my-name',  or '123-abc', regex used for validation "
                           "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"))
        << bad;
  }
}

TEST(Dns1123SubdomainTest, AcceptsAndRejectsLikeKubernetes) {
  for (const char* ok : {"a", "example.com", "hello-world-x7k2p-1340600742", "a.b.c", "1.2"}) {
    EXPECT_THAT(Dns1123SubdomainError(ok), IsEmpty()) << ok;
  }
  EXPECT_EQ(Dns1123SubdomainError(std::string(254, 'a')), "must be no more than 253 characters");
  for (const char* bad : {"", "a..b", ".a", "a.", "A.com", "a_b", "a.-b"}) {
    EXPECT_EQ(Dns1123SubdomainError(bad),
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
              "'-' or '.', and must start and end with an alphanumeric character (e.g. "
              "'example.com', regex used for validation is "
              "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        << bad;
  }
}

TEST(GenerateNameTest, AllowsATrailingDash) {
  EXPECT_THAT(GenerateNameError("hello-world-"), IsEmpty());
  EXPECT_THAT(GenerateNameError("hello"), IsEmpty());
  EXPECT_THAT(GenerateNameError("-"), Not(IsEmpty()));
  EXPECT_THAT(GenerateNameError("Hello-"), Not(IsEmpty()));
}

TEST(QualifiedNameTest, AcceptsAndRejectsLikeKubernetes) {
  for (const char* ok :
       {"app", "MyName", "my.name", "123-abc", "a_b", "workflows.argoproj.io/workflow",
        "example.com/MyName", "kubernetes.io/os", "nvidia.com/gpu"}) {
    EXPECT_THAT(QualifiedNameError(ok), IsEmpty()) << ok;
  }
  EXPECT_EQ(QualifiedNameError(""), "name part must be non-empty");
  EXPECT_EQ(QualifiedNameError("example.com/"), "name part must be non-empty");
  EXPECT_EQ(QualifiedNameError("/name"), "prefix part must be non-empty");
  EXPECT_EQ(QualifiedNameError(std::string(64, 'a')),
            "name part must be no more than 63 characters");
  EXPECT_THAT(QualifiedNameError("Example.com/name"),
              StartsWith("prefix part a lowercase RFC 1123 subdomain"));
  EXPECT_EQ(QualifiedNameError("bad key"),
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
            "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_THAT(QualifiedNameError("a/b/c"),
              AllOf(StartsWith("a qualified name must consist of alphanumeric characters"),
                    HasSubstr("with an optional DNS subdomain prefix and '/' (e.g. "
                              "'example.com/MyName')")));
  EXPECT_THAT(QualifiedNameError("-a"), StartsWith("name part must consist of"));
  EXPECT_THAT(QualifiedNameError("a."), StartsWith("name part must consist of"));
}

TEST(LabelValueTest, AcceptsAndRejectsLikeKubernetes) {
  for (const char* ok : {"", "false", "hello-world-x7k2p", "MyValue", "my_value", "12345", "a.b"}) {
    EXPECT_THAT(LabelValueError(ok), IsEmpty()) << ok;
  }
  EXPECT_EQ(LabelValueError(std::string(64, 'a')), "must be no more than 63 characters");
  EXPECT_EQ(LabelValueError("a b"),
            "a valid label must be an empty string or consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
            "or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  EXPECT_THAT(LabelValueError("-a"), Not(IsEmpty()));
  EXPECT_THAT(LabelValueError("a/b"), Not(IsEmpty()));
}

}  // namespace
}  // namespace sluice::kube
