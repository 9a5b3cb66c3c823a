#include "tools/kubesim/object_store.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/continue_token.h"
#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/pod.h"

namespace sluice::kubesim {
namespace {

using testing::MakePod;

ResourceInfo Pods() {
  ResourceInfo r;
  r.name = "pods";
  r.kind = "Pod";
  r.list_kind = "PodList";
  r.namespaced = true;
  r.field_labels = Pod::FieldLabels();
  return r;
}

class RecordingObserver : public StoreObserver {
 public:
  void OnCommit(const ResourceInfo&, const StoredEvent& e) override { rvs.push_back(e.rv); }
  std::vector<uint64_t> rvs;
};

class ObjectStoreTest : public ::testing::Test {
 protected:
  ObjectStoreTest() : store_(clock_, Options()) {
    store_.RegisterResource(Pods());
    store_.AddObserver(&observer_);
  }
  static StoreOptions Options() {
    StoreOptions o;
    o.watch_history = 100;
    o.list_snapshot_ttl = absl::Minutes(5);
    return o;
  }
  std::shared_ptr<const ApiObject> Create(std::string_view ns, std::string_view name,
                                          std::string_view extra = "") {
    auto r = store_.Create("pods", MakePod(ns, name, extra));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().body);
    return r.ok() ? r.value() : nullptr;
  }
  std::vector<std::string> Names(const ListResult& list) {
    std::vector<std::string> names;
    for (const auto& o : list.items) names.push_back(o->key());
    return names;
  }

  SimulatedClock clock_;
  ObjectStore store_;
  RecordingObserver observer_;
};

TEST_F(ObjectStoreTest, CreateStampsIncreasingResourceVersions) {
  const uint64_t start = store_.current_resource_version();
  auto a = Create("ns1", "a");
  auto b = Create("ns1", "b");
  EXPECT_EQ(a->resource_version(), start + 1);
  EXPECT_EQ(b->resource_version(), start + 2);
  EXPECT_EQ(store_.current_resource_version(), start + 2);
  EXPECT_EQ(observer_.rvs, (std::vector<uint64_t>{start + 1, start + 2}));
  EXPECT_NE(a->Json().find(Cat(R"("resourceVersion":")", start + 1, R"(")")), std::string::npos);
  EXPECT_EQ(a->Json().substr(0, 32), R"({"kind":"Pod","apiVersion":"v1",)");
  EXPECT_EQ(store_.Find("pods", "ns1", "a"), a);
  EXPECT_EQ(store_.Find("pods", "ns2", "a"), nullptr);
}

TEST_F(ObjectStoreTest, CreateOfAnExistingNameIsAlreadyExists) {
  Create("ns1", "a");
  auto again = store_.Create("pods", MakePod("ns1", "a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().body, AlreadyExists("pods", "a", false).body);

  store_.Update("pods", "ns1", "a", [](const ApiObject& cur) -> ApiOr<std::shared_ptr<ApiObject>> {
    auto next = std::static_pointer_cast<Pod>(cur.Clone());
    next->MarkDeleting(30, absl::FromUnixSeconds(1'700'000'000));
    return std::shared_ptr<ApiObject>(next);
  });
  again = store_.Create("pods", MakePod("ns1", "a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(
      again.error().body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"object is being deleted: pods \"a\" already exists","reason":"AlreadyExists","details":{"name":"a","kind":"pods"},"code":409})");
}

TEST_F(ObjectStoreTest, GeneratedNamesAreRedrawnOnClash) {
  auto fixed = MakePod("ns1", "wf-aaaaa");
  ASSERT_TRUE(store_.Create("pods", fixed).ok());
  auto clash = MakePod("ns1", "wf-aaaaa");
  clash->mutable_meta().generate_name = "wf-";
  ObjectStore::CreateOptions options;
  options.name_generated = true;
  auto r = store_.Create("pods", clash, options);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.value()->meta().name, "wf-aaaaa");
  EXPECT_EQ(r.value()->meta().name.substr(0, 3), "wf-");
}

TEST_F(ObjectStoreTest, UpdateAndDelete) {
  auto a = Create("ns1", "a");
  int calls = 0;
  auto updated = store_.Update("pods", "ns1", "a",
                               [&](const ApiObject& cur) -> ApiOr<std::shared_ptr<ApiObject>> {
                                 ++calls;
                                 auto next = std::static_pointer_cast<Pod>(cur.Clone());
                                 next->MarkScheduled("n1", "10.0.0.1", clock_.WallNow());
                                 return std::shared_ptr<ApiObject>(next);
                               });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(updated.value()->resource_version(), a->resource_version() + 1);
  EXPECT_EQ(updated.value()->FieldValue("spec.nodeName"), "n1");
  // "No change" keeps the version.
  auto same = store_.Update("pods", "ns1", "a", [](const ApiObject&) {
    return ApiOr<std::shared_ptr<ApiObject>>(std::shared_ptr<ApiObject>());
  });
  EXPECT_EQ(same.value(), updated.value());

  auto wrong_uid = store_.Delete("pods", "ns1", "a", std::string_view("other-uid"));
  ASSERT_FALSE(wrong_uid.ok());
  EXPECT_EQ(
      wrong_uid.error().body,
      Cat(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on pods \"a\": StorageError: invalid object, Code: 4, Key: /registry/pods/ns1/a, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: other-uid, UID in object meta: )",
          a->meta().uid,
          R"(","reason":"Conflict","details":{"name":"a","kind":"pods"},"code":409})"));
  auto gone = store_.Delete("pods", "ns1", "a", std::string_view(a->meta().uid));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone.value()->resource_version(), updated.value()->resource_version() + 1);
  EXPECT_EQ(store_.Find("pods", "ns1", "a"), nullptr);
  EXPECT_EQ(store_.Get("pods", "ns1", "a").error().body, NotFound("pods", "a").body);
  EXPECT_EQ(store_.Delete("pods", "ns1", "a").error().http_code, 404);
}

TEST_F(ObjectStoreTest, ListFiltersByNamespaceAndSelectors) {
  Create("a", "p1", R"("labels":{"app":"web"})");
  Create("a", "p2", R"("labels":{"app":"db"})");
  Create("a-b", "p3", R"("labels":{"app":"web"})");
  Create("b", "p4");
  ListOptions all;
  EXPECT_EQ(Names(*store_.List("pods", all)),
            (std::vector<std::string>{"a-b/p3", "a/p1", "a/p2", "b/p4"}));
  ListOptions ns_a;
  ns_a.namespace_name = "a";
  EXPECT_EQ(Names(*store_.List("pods", ns_a)), (std::vector<std::string>{"a/p1", "a/p2"}));
  ListOptions web;
  web.labels = *LabelSelector::Parse("app=web");
  EXPECT_EQ(Names(*store_.List("pods", web)), (std::vector<std::string>{"a-b/p3", "a/p1"}));
  ListOptions by_name;
  by_name.fields = *FieldSelector::Parse("metadata.name=p2,status.phase=Pending");
  EXPECT_EQ(Names(*store_.List("pods", by_name)), (std::vector<std::string>{"a/p2"}));
}

TEST_F(ObjectStoreTest, PaginationKeepsOneResourceVersion) {
  for (int i = 0; i < 7; ++i) Create("ns", Cat("p", i));
  ListOptions page;
  page.namespace_name = "ns";
  page.limit = 3;
  auto first = store_.List("pods", page);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Names(*first), (std::vector<std::string>{"ns/p0", "ns/p1", "ns/p2"}));
  ASSERT_FALSE(first->continue_token.empty());
  EXPECT_EQ(first->remaining_item_count, 4);
  const uint64_t rv = first->resource_version;

  // Changes after the first page are not seen by the following pages.
  Create("ns", "p10");
  store_.Delete("pods", "ns", "p5");

  page.continue_token = first->continue_token;
  auto second = store_.List("pods", page);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->resource_version, rv);
  EXPECT_EQ(Names(*second), (std::vector<std::string>{"ns/p3", "ns/p4", "ns/p5"}));
  EXPECT_EQ(second->remaining_item_count, 1);
  page.continue_token = second->continue_token;
  auto third = store_.List("pods", page);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->resource_version, rv);
  EXPECT_EQ(Names(*third), (std::vector<std::string>{"ns/p6"}));
  EXPECT_TRUE(third->continue_token.empty());
  EXPECT_EQ(third->remaining_item_count, std::nullopt);

  // The token has the etcd3 form.
  auto token = DecodeContinueToken(first->continue_token);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->rv, static_cast<int64_t>(rv));
  EXPECT_EQ(token->start_key, std::string("ns/p2\0", 6));
}

TEST_F(ObjectStoreTest, ExpiredContinueTokenAnswers410WithAnInconsistentToken) {
  for (int i = 0; i < 5; ++i) Create("ns", Cat("p", i));
  ListOptions page;
  page.limit = 2;
  auto first = store_.List("pods", page);
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(5) + absl::Seconds(1));
  Create("ns", "p9");
  page.continue_token = first->continue_token;
  auto expired = store_.List("pods", page);
  ASSERT_FALSE(expired.ok());
  const std::string token = EncodeContinueToken({-1, std::string("ns/p1\0", 6)});
  EXPECT_EQ(expired.error().http_code, 410);
  EXPECT_EQ(expired.error().body, Expired(kInconsistentContinueMessage, token).body);

  // The inconsistent token continues at the latest state.
  page.continue_token = token;
  page.limit = 10;
  auto rest = store_.List("pods", page);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Names(*rest), (std::vector<std::string>{"ns/p2", "ns/p3", "ns/p4", "ns/p9"}));
  EXPECT_EQ(rest->resource_version, store_.current_resource_version());
}

TEST_F(ObjectStoreTest, CompactionExpiresContinueTokens) {
  for (int i = 0; i < 3; ++i) Create("ns", Cat("p", i));
  ListOptions page;
  page.limit = 1;
  auto first = store_.List("pods", page);
  store_.Compact();
  page.continue_token = first->continue_token;
  EXPECT_EQ(store_.List("pods", page).error().http_code, 410);
}

TEST_F(ObjectStoreTest, ListResourceVersionSemantics) {
  for (int i = 0; i < 4; ++i) Create("ns", Cat("p", i));
  const uint64_t now = store_.current_resource_version();
  ListOptions o;
  o.limit = 2;
  o.resource_version = "0";  // served from the "cache": limit ignored
  auto cached = store_.List("pods", o);
  EXPECT_EQ(cached->items.size(), 4u);
  EXPECT_TRUE(cached->continue_token.empty());

  o.resource_version = Cat(now);  // exact at the latest RV: fine
  EXPECT_EQ(store_.List("pods", o)->items.size(), 2u);
  o.resource_version = Cat(now - 1);  // exact at an older RV: gone
  EXPECT_EQ(store_.List("pods", o).error().body, Expired(kExpiredListMessage).body);
  o.resource_version = Cat(now + 5);
  EXPECT_EQ(store_.List("pods", o).error().body, TooLargeResourceVersion(now + 5, now).body);

  ListOptions not_older;
  not_older.resource_version = Cat(now - 2);
  not_older.resource_version_match = "NotOlderThan";
  EXPECT_EQ(store_.List("pods", not_older)->items.size(), 4u);

  ListOptions bad;
  bad.continue_token = cached->continue_token.empty() ? "x" : cached->continue_token;
  bad.resource_version = "5";
  EXPECT_EQ(store_.List("pods", bad).error().http_code, 400);
  ListOptions garbage;
  garbage.continue_token = "!!!";
  EXPECT_EQ(store_.List("pods", garbage).error().http_code, 400);
}

TEST_F(ObjectStoreTest, StartWatch) {
  auto a = Create("ns", "a");
  Create("other", "b");
  auto from_now = store_.StartWatch("pods", "ns", std::nullopt);
  ASSERT_TRUE(from_now.ok());
  ASSERT_EQ(from_now->initial.size(), 1u);
  EXPECT_EQ(from_now->initial[0], a);
  EXPECT_EQ(from_now->rv, store_.current_resource_version());

  auto resume = store_.StartWatch("pods", "", a->resource_version());
  ASSERT_TRUE(resume.ok());
  EXPECT_TRUE(resume->initial.empty());
  EXPECT_TRUE(resume->error_status.empty());
  std::vector<StoredEvent> events;
  uint64_t seq = resume->seq;
  resume->hub->Read(&seq, 10, absl::ZeroDuration(), &events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].object->meta().name, "b");

  store_.Compact();
  auto too_old = store_.StartWatch("pods", "", a->resource_version());
  EXPECT_EQ(too_old->error_status,
            TooOldResourceVersionStatus(a->resource_version(), store_.current_resource_version()));
}

}  // namespace
}  // namespace sluice::kubesim
