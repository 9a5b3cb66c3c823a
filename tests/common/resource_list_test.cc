#include "scheduler/common/resource_list.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Quantity Q(const char* text) { return *Quantity::Parse(text); }

ResourceList L(const char* text) {
  absl::StatusOr<ResourceList> list = ResourceList::Parse(text);
  EXPECT_TRUE(list.ok()) << list.status();
  return list.ok() ? *list : ResourceList();
}

TEST(ResourceListTest, GetSetAndSortedIteration) {
  ResourceList list;
  EXPECT_TRUE(list.empty());
  list.Set("memory", Q("1Gi"));
  list.Set("cpu", Q("500m"));
  list.Set("nvidia.com/gpu", Q("1"));
  list.Set("ephemeral-storage", Q("10Gi"));
  EXPECT_EQ(list.size(), 4u);
  std::vector<std::string> names;
  for (const ResourceList::Entry& e : list) names.push_back(e.name);
  EXPECT_THAT(names, ElementsAre("cpu", "ephemeral-storage", "memory", "nvidia.com/gpu"));
  EXPECT_EQ(list.Get("cpu"), Q("500m"));
  EXPECT_TRUE(list.Get("pods").IsZero());
  EXPECT_EQ(list.Find("pods"), nullptr);
  EXPECT_TRUE(list.Has("memory"));
  list.Set("cpu", Q("2"));
  EXPECT_EQ(list.Get("cpu"), Q("2"));
  EXPECT_EQ(list.size(), 4u);
  EXPECT_TRUE(list.Erase("cpu"));
  EXPECT_FALSE(list.Erase("cpu"));
  EXPECT_FALSE(list.Has("cpu"));
}

TEST(ResourceListTest, InitializerListLaterEntriesWin) {
  ResourceList list{{"memory", Q("1Gi")}, {"cpu", Q("1")}, {"cpu", Q("2")}};
  EXPECT_EQ(list.ToString(), "cpu=2,memory=1Gi");
}

TEST(ResourceListTest, ToStringIsSortedAndCanonical) {
  ResourceList list{{"requests.memory", Q("1024Mi")},
                    {"requests.cpu", Q("1.5")},
                    {"limits.cpu", Q("2000m")},
                    {"pods", Q("10")}};
  EXPECT_EQ(list.ToString(), "limits.cpu=2,pods=10,requests.cpu=1500m,requests.memory=1Gi");
  EXPECT_EQ(ResourceList().ToString(), "");
}

TEST(ResourceListTest, ParseReadsExceededQuotaFigures) {
  // As in: pods "p" is forbidden: exceeded quota: q, requested: requests.cpu=1,
  // used: requests.cpu=3500m, limited: requests.cpu=4
  ResourceList requested = L("limits.memory=4Gi,requests.cpu=1,requests.nvidia.com/gpu=2");
  EXPECT_EQ(requested.size(), 3u);
  EXPECT_EQ(requested.Get("limits.memory"), Q("4Gi"));
  EXPECT_EQ(requested.Get("requests.nvidia.com/gpu"), Q("2"));
  EXPECT_EQ(requested.ToString(), "limits.memory=4Gi,requests.cpu=1,requests.nvidia.com/gpu=2");
  EXPECT_EQ(L("count/pods=5").Get("count/pods"), Q("5"));
  EXPECT_TRUE(L("").empty());
  EXPECT_TRUE(L("  ").empty());
  EXPECT_EQ(L(" cpu=1 , memory=2Gi ").ToString(), "cpu=1,memory=2Gi");
  // Unsorted input is accepted and sorted.
  EXPECT_EQ(L("memory=1Gi,cpu=1").ToString(), "cpu=1,memory=1Gi");
}

TEST(ResourceListTest, ParseRoundTripsToString) {
  for (const char* text : {"cpu=1,memory=1Gi", "cpu=100u,ephemeral-storage=1500M",
                           "hugepages-2Mi=4Mi,memory=9223372036854775807", "pods=0"}) {
    EXPECT_EQ(L(text).ToString(), text);
  }
}

TEST(ResourceListTest, ParseRejectsMalformedEntries) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"cpu", "resource list entry 1 \"cpu\": missing '='"},
      {"cpu=1,", "resource list entry 2 \"\": missing '='"},
      {"cpu=1,,memory=1Gi", "resource list entry 2 \"\": missing '='"},
      {"=1", "resource list entry 1 \"=1\": empty name"},
      {"cpu=1,cpu=2", "resource list entry 2 \"cpu=2\": duplicate name"},
      {"cpu=1,memory=12Gb",
       "resource list entry 2 \"memory=12Gb\": \"12Gb\": unknown suffix \"Gb\""},
      {"cpu=", "resource list entry 1 \"cpu=\": \"\": empty string"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<ResourceList> list = ResourceList::Parse(c.text);
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(list.status().message(), c.message);
  }
}

TEST(ResourceListTest, AddAndSubPerKey) {
  ResourceList a = L("cpu=500m,memory=1Gi");
  EXPECT_TRUE(a.Add(L("cpu=1500m,nvidia.com/gpu=1")));
  EXPECT_EQ(a.ToString(), "cpu=2,memory=1Gi,nvidia.com/gpu=1");
  EXPECT_TRUE(a.Add("memory", Q("512Mi")));
  EXPECT_EQ(a.Get("memory").String(), "1536Mi");
  EXPECT_TRUE(a.Sub(L("cpu=2,pods=1")));
  EXPECT_EQ(a.ToString(), "cpu=0,memory=1536Mi,nvidia.com/gpu=1,pods=-1");
  // A zero entry takes the other operand's format.
  ResourceList zero{{"memory", Quantity()}};
  zero.Add(L("memory=1Gi"));
  EXPECT_EQ(zero.ToString(), "memory=1Gi");
}

TEST(ResourceListTest, AddReportsSaturation) {
  ResourceList a{{"cpu", Quantity::FromNanos(Quantity::MaxNanos())}};
  EXPECT_FALSE(a.Add(L("cpu=1")));
  EXPECT_EQ(a.Get("cpu").nanos(), Quantity::MaxNanos());
}

TEST(ResourceListTest, MaxWithTakesTheLargerPerKey) {
  ResourceList a = L("cpu=1,memory=2Gi");
  a.MaxWith(L("cpu=1500m,memory=1Gi,nvidia.com/gpu=1"));
  EXPECT_EQ(a.ToString(), "cpu=1500m,memory=2Gi,nvidia.com/gpu=1");
  // Ties keep the existing entry and its format.
  ResourceList b{{"memory", Q("1Gi")}};
  b.MaxWith(ResourceList{{"memory", Q("1073741824")}});
  EXPECT_EQ(b.Get("memory").format(), Quantity::Format::kBinarySI);
}

TEST(ResourceListTest, LessOrEqualTreatsMissingKeysAsZero) {
  EXPECT_TRUE(L("cpu=1,memory=1Gi").LessOrEqual(L("cpu=2,memory=1Gi")));
  EXPECT_FALSE(L("cpu=3,memory=1Gi").LessOrEqual(L("cpu=2,memory=1Gi")));
  EXPECT_FALSE(L("cpu=1,pods=1").LessOrEqual(L("cpu=2")));
  EXPECT_TRUE(L("cpu=1").LessOrEqual(L("cpu=1,memory=1Gi")));
  EXPECT_FALSE(L("cpu=1").LessOrEqual(L("cpu=1,memory=-1")));
  EXPECT_TRUE(ResourceList().LessOrEqual(ResourceList()));
}

TEST(ResourceListTest, ExceedingKeysOnlyConsidersConstrainedKeys) {
  const ResourceList hard = L("limits.memory=4Gi,pods=10,requests.cpu=4");
  EXPECT_THAT(L("pods=11,requests.cpu=5,requests.memory=100Gi").ExceedingKeys(hard),
              ElementsAre("pods", "requests.cpu"));
  EXPECT_THAT(L("pods=10,requests.cpu=4").ExceedingKeys(hard), IsEmpty());
  EXPECT_THAT(ResourceList().ExceedingKeys(hard), IsEmpty());
}

TEST(ResourceListTest, IsZeroAndEquality) {
  EXPECT_TRUE(ResourceList().IsZero());
  EXPECT_TRUE(L("cpu=0,memory=0Gi").IsZero());
  EXPECT_FALSE(L("cpu=0,memory=1").IsZero());
  EXPECT_EQ(L("cpu=1000m,memory=1Gi"), L("memory=1073741824,cpu=1"));
  EXPECT_NE(L("cpu=0"), ResourceList());
  EXPECT_NE(L("cpu=1"), L("cpu=2"));
  EXPECT_NE(L("cpu=1"), L("memory=1"));
}

TEST(ResourceListTest, RoundUpToMilli) {
  ResourceList list = L("cpu=0.1m,memory=1Gi,x.io/y=1n");
  EXPECT_FALSE(list.RoundUp(-3));
  EXPECT_EQ(list.ToString(), "cpu=1m,memory=1Gi,x.io/y=1m");
  EXPECT_TRUE(list.RoundUp(-3));
}

TEST(ResourceListTest, CopiesAreIndependent) {
  ResourceList a = L("cpu=1,ephemeral-storage=1Gi,memory=1Gi,nvidia.com/gpu=1,pods=1,x=1");
  ResourceList b = a;
  b.Set("cpu", Q("2"));
  EXPECT_EQ(a.Get("cpu"), Q("1"));
  EXPECT_EQ(b.Get("cpu"), Q("2"));
  EXPECT_EQ(b.size(), 6u);
}

}  // namespace
}  // namespace sluice
