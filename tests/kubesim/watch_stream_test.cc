#include "tools/kubesim/watch_stream.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/pod.h"

namespace sluice::kubesim {
namespace {

using testing::MakePod;

struct Event {
  std::string type;
  std::string name;
  std::string rv;
};

// Splits a chunk of the stream into events.
std::vector<Event> Parse(const std::string& bytes) {
  std::vector<Event> out;
  size_t start = 0;
  while (start < bytes.size()) {
    const size_t nl = bytes.find('\n', start);
    EXPECT_NE(nl, std::string::npos) << "events end with a newline";
    rapidjson::Document doc;
    ParseJson(std::string_view(bytes).substr(start, nl - start), &doc);
    EXPECT_FALSE(doc.HasParseError());
    Event e;
    e.type = doc["type"].GetString();
    const auto& meta = doc["object"]["metadata"];
    if (meta.HasMember("name")) e.name = meta["name"].GetString();
    if (meta.HasMember("resourceVersion")) e.rv = meta["resourceVersion"].GetString();
    out.push_back(e);
    start = nl + 1;
  }
  return out;
}

class WatchStreamTest : public ::testing::Test {
 protected:
  WatchStreamTest() : store_(clock_, StoreOptions{}) {
    ResourceInfo pods;
    pods.name = "pods";
    pods.kind = "Pod";
    pods.namespaced = true;
    pods.field_labels = Pod::FieldLabels();
    store_.RegisterResource(pods);
  }
  std::shared_ptr<const ApiObject> Create(std::string_view ns, std::string_view name,
                                          std::string_view extra = "") {
    return store_.Create("pods", MakePod(ns, name, extra)).value();
  }
  void SetLabels(std::string_view ns, std::string_view name, StringMap labels) {
    store_.Update("pods", ns, name, [&](const ApiObject& cur) -> ApiOr<std::shared_ptr<ApiObject>> {
      auto next = cur.Clone();
      next->mutable_meta().labels = labels;
      return next;
    });
  }
  std::unique_ptr<WatchStream> Watch(WatchOptions o) {
    o.resource = "pods";
    auto w = std::make_unique<WatchStream>(&store_, clock_, std::move(o));
    EXPECT_EQ(w->Start(), std::nullopt);
    return w;
  }
  // Everything the stream has to say right now.
  std::vector<Event> Drain(WatchStream& w, bool* more = nullptr) {
    std::string bytes;
    bool m = w.Next(&bytes, absl::ZeroDuration());
    if (more != nullptr) *more = m;
    return Parse(bytes);
  }

  SimulatedClock clock_;
  ObjectStore store_;
};

TEST_F(WatchStreamTest, StartsWithSyntheticAddedThenFollowsChanges) {
  Create("ns", "a");
  auto w = Watch({});
  auto events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(events[0].name, "a");
  Create("ns", "b");
  store_.Delete("pods", "ns", "a");
  events = Drain(*w);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(events[0].name, "b");
  EXPECT_EQ(events[1].type, "DELETED");
  EXPECT_EQ(events[1].name, "a");
  EXPECT_EQ(events[1].rv, Cat(store_.current_resource_version()));
}

TEST_F(WatchStreamTest, ResumesAfterAResourceVersion) {
  auto a = Create("ns", "a");
  auto b = Create("ns", "b");
  Create("ns", "c");
  WatchOptions o;
  o.from_rv = b->resource_version();
  auto w = Watch(o);
  auto events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "c");
}

TEST_F(WatchStreamTest, TooOldResourceVersionSendsOneErrorEventThenEnds) {
  auto a = Create("ns", "a");
  Create("ns", "b");
  store_.Compact();
  WatchOptions o;
  o.from_rv = a->resource_version();
  auto w = Watch(o);
  std::string bytes;
  EXPECT_FALSE(w->Next(&bytes, absl::ZeroDuration()));
  EXPECT_EQ(
      bytes,
      Cat(R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: )",
          a->resource_version(), " (", store_.current_resource_version(),
          R"json()","reason":"Expired","code":410}})json", "\n"));
  bytes.clear();
  EXPECT_FALSE(w->Next(&bytes, absl::ZeroDuration()));
  EXPECT_TRUE(bytes.empty());
}

TEST_F(WatchStreamTest, BookmarksEveryIntervalAndBeforeTheDeadline) {
  WatchOptions o;
  o.from_rv = store_.current_resource_version();
  o.allow_bookmarks = true;
  o.bookmark_interval = absl::Seconds(60);
  o.timeout = absl::Seconds(100);
  auto w = Watch(o);
  EXPECT_TRUE(Drain(*w).empty());
  Create("ns", "a");
  clock_.Advance(absl::Seconds(59));
  auto events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ADDED");
  clock_.Advance(absl::Seconds(1));
  events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "BOOKMARK");
  EXPECT_EQ(events[0].rv, Cat(store_.current_resource_version()));
  // 2 s before the deadline (t = 98 s).
  clock_.Advance(absl::Seconds(37));
  EXPECT_TRUE(Drain(*w).empty());
  clock_.Advance(absl::Seconds(1));
  events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "BOOKMARK");
  clock_.Advance(absl::Seconds(2));
  bool more = true;
  EXPECT_TRUE(Drain(*w, &more).empty());
  EXPECT_FALSE(more);  // deadline: the watch ends
}

TEST_F(WatchStreamTest, BookmarkBytesMatchTheApiserver) {
  WatchOptions o;
  o.allow_bookmarks = true;
  o.bookmark_interval = absl::Seconds(60);
  o.from_rv = store_.current_resource_version();
  auto w = Watch(o);
  std::string bytes;
  w->Next(&bytes, absl::ZeroDuration());
  clock_.Advance(absl::Seconds(60));
  w->Next(&bytes, absl::ZeroDuration());
  EXPECT_EQ(
      bytes,
      Cat(R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":")",
          store_.current_resource_version(), R"("}}})", "\n"));
}

TEST_F(WatchStreamTest, NoBookmarksUnlessAsked) {
  WatchOptions o;
  o.from_rv = store_.current_resource_version();
  o.timeout = absl::Minutes(10);
  auto w = Watch(o);
  clock_.Advance(absl::Minutes(5));
  EXPECT_TRUE(Drain(*w).empty());
}

TEST_F(WatchStreamTest, InitialEventsEndBookmark) {
  Create("ns", "a");
  WatchOptions o;
  o.allow_bookmarks = true;
  o.send_initial_events = true;
  auto w = Watch(o);
  std::string bytes;
  w->Next(&bytes, absl::ZeroDuration());
  EXPECT_NE(bytes.find(R"("annotations":{"k8s.io/initial-events-end":"true"})"), std::string::npos);
  auto events = Parse(bytes);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, "BOOKMARK");
}

TEST_F(WatchStreamTest, SelectorsTurnChangesIntoAddedAndDeleted) {
  Create("ns", "a", R"("labels":{"app":"web"})");
  Create("other", "b", R"("labels":{"app":"web"})");
  WatchOptions o;
  o.namespace_name = "ns";
  o.labels = *LabelSelector::Parse("app=web");
  auto w = Watch(o);
  auto events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "a");

  SetLabels("ns", "a", {{"app", "db"}});   // stops matching
  SetLabels("ns", "a", {{"app", "web"}});  // matches again
  SetLabels("ns", "a", {{"app", "web"}, {"x", "y"}});
  SetLabels("other", "b", {{"app", "db"}});  // other namespace: unseen
  events = Drain(*w);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "DELETED");
  EXPECT_EQ(events[1].type, "ADDED");
  EXPECT_EQ(events[2].type, "MODIFIED");
}

TEST_F(WatchStreamTest, FieldSelector) {
  WatchOptions o;
  o.fields = *FieldSelector::Parse("metadata.name=b");
  auto w = Watch(o);
  Create("ns", "a");
  Create("ns", "b");
  auto events = Drain(*w);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "b");
}

TEST_F(WatchStreamTest, LargeInitialStateStreamsInBatches) {
  for (int i = 0; i < 1200; ++i) Create("ns", Cat("p", i));
  auto w = Watch({});
  EXPECT_EQ(Drain(*w).size(), 512u);
  EXPECT_EQ(Drain(*w).size(), 512u);
  EXPECT_EQ(Drain(*w).size(), 176u);
  EXPECT_TRUE(Drain(*w).empty());
  Create("ns", "last");
  EXPECT_EQ(Drain(*w).size(), 1u);
}

TEST_F(WatchStreamTest, UnknownResource) {
  WatchOptions o;
  o.resource = "widgets";
  WatchStream w(&store_, clock_, o);
  ASSERT_NE(w.Start(), std::nullopt);
}

}  // namespace
}  // namespace sluice::kubesim
