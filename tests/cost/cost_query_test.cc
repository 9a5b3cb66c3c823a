#include "scheduler/cost/cost_query.h"

#include <map>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

CostRecord Row(const char* uid, const char* wf, const char* ns, int64_t cost, absl::Time end) {
  CostRecord r;
  r.pod_uid = uid;
  r.workflow_uid = wf;
  r.pod_namespace = ns;
  r.currency = "USD";
  r.cost_nano = cost;
  r.billing_start = kT0;
  r.billing_end = end;
  r.end_reason = end == absl::InfiniteFuture() ? EndReason::kNone : EndReason::kSucceeded;
  return r;
}

TEST(CostQuery, ParseGroupBy) {
  std::string key;
  EXPECT_EQ(*ParseGroupBy("pool", &key), GroupBy::kPool);
  EXPECT_EQ(*ParseGroupBy("label=team", &key), GroupBy::kLabel);
  EXPECT_EQ(key, "team");
  EXPECT_FALSE(ParseGroupBy("label=", &key).ok());
  EXPECT_FALSE(ParseGroupBy("node", &key).ok());
}

TEST(CostQuery, WindowByEndAndLiveRunning) {
  std::vector<CostRecord> rows = {Row("1", "w1", "a", 10, kT0 + absl::Seconds(10)),
                                  Row("2", "w1", "a", 20, kT0 + absl::Seconds(20)),
                                  Row("3", "w2", "b", 40, absl::InfiniteFuture())};
  CostQuery q;
  q.since = kT0 + absl::Seconds(10);
  q.until = kT0 + absl::Seconds(20);
  CostReport report = Aggregate(rows, q, kT0 + absl::Seconds(30));
  ASSERT_EQ(report.groups.size(), 1u);
  EXPECT_EQ(report.groups[0].key, "w1");
  EXPECT_EQ(report.groups[0].cost_nano, 10);
  q.until = absl::InfiniteFuture();
  report = Aggregate(rows, q, kT0 + absl::Seconds(30));
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_EQ(report.groups[0].key, "w2");  // costliest first
  EXPECT_EQ(report.groups[0].running, 1u);
  EXPECT_EQ(report.totals[0].cost_nano, 70);
  q.workflow_uid = "w1";
  report = Aggregate(rows, q, kT0 + absl::Seconds(30));
  EXPECT_EQ(report.attempts.size(), 2u);
  EXPECT_EQ(report.totals[0].cost_nano, 30);
}

TEST(CostQuery, TopFoldsTheRestIntoOther) {
  std::vector<CostRecord> rows;
  for (int i = 0; i < 5; ++i) {
    rows.push_back(Row("u", "w", absl::StrCat("ns", i).c_str(), i + 1, kT0));
    rows.back().pod_uid = absl::StrCat("u", i);
  }
  CostQuery q;
  q.group_by = GroupBy::kNamespace;
  q.top = 2;
  CostReport report = Aggregate(rows, q, kT0 + absl::Seconds(1));
  ASSERT_EQ(report.groups.size(), 3u);
  EXPECT_EQ(report.groups[0].key, "ns4");
  EXPECT_EQ(report.groups[1].key, "ns3");
  EXPECT_EQ(report.groups[2].key, "(other)");
  EXPECT_EQ(report.groups[2].cost_nano, 6);
  EXPECT_EQ(report.groups[2].attempts, 3u);
}

// For any window and any grouping, the groups sum to the total to the
// nano-unit, and adjacent windows add up to their union.
TEST(CostQuery, SumOverAnyGroupingIsTheTotal) {
  std::mt19937_64 random(20261202);
  const char* kPools[] = {"od-a", "spot-a", "spot-b", ""};
  const char* kClasses[] = {"on-demand", "spot", "spot", ""};
  const char* kTeams[] = {"red", "blue", ""};
  const char* kCurrencies[] = {"USD", "EUR"};
  std::vector<CostRecord> rows;
  for (int i = 0; i < 2000; ++i) {
    CostRecord r;
    r.pod_uid = absl::StrCat("uid-", i);
    r.pod_namespace = absl::StrCat("ns-", random() % 7);
    r.workflow_uid = absl::StrCat("wf-", random() % 50);
    const size_t pool = random() % 4;
    r.pool = kPools[pool];
    r.pool_class = kClasses[pool];
    r.currency = kCurrencies[random() % 2];
    const char* team = kTeams[random() % 3];
    if (*team != '\0') r.labels = {{"team", team}};
    r.cost_nano = static_cast<int64_t>(random() % 1'000'000'000'000);
    r.created = kT0 + absl::Seconds(static_cast<int64_t>(random() % 86'400));
    r.billing_start = r.created;
    if (random() % 10 != 0) {
      r.billing_end = r.created + absl::Seconds(static_cast<int64_t>(random() % 3'600));
      r.end_reason = EndReason::kSucceeded;
    }
    rows.push_back(std::move(r));
  }
  const absl::Time now = kT0 + absl::Hours(25);
  for (int trial = 0; trial < 50; ++trial) {
    CostQuery q;
    const int64_t a = static_cast<int64_t>(random() % 100'000);
    const int64_t b = a + static_cast<int64_t>(random() % 100'000);
    q.since = kT0 + absl::Seconds(a);
    q.until = trial % 5 == 0 ? absl::InfiniteFuture() : kT0 + absl::Seconds(b);
    std::map<std::string, int64_t> reference;  // by currency, from the rows directly
    for (const CostRecord& r : rows) {
      if (InWindow(r, q, now)) reference[r.currency] += r.cost_nano;
    }
    for (const char* by : {"workflow", "namespace", "pool", "class", "pod", "label=team"}) {
      q.group_by = *ParseGroupBy(by, &q.label_key);
      q.top = static_cast<uint32_t>(trial % 4);
      CostReport report = Aggregate(rows, q, now);
      std::map<std::string, int64_t> sums;
      for (const CostGroup& g : report.groups) sums[g.currency] += g.cost_nano;
      std::map<std::string, int64_t> totals;
      for (const CostTotal& t : report.totals) totals[t.currency] = t.cost_nano;
      EXPECT_EQ(sums, totals) << by << " trial " << trial;
      EXPECT_EQ(totals, reference) << by << " trial " << trial;
    }
    // [since, mid) + [mid, until) == [since, until).
    if (q.until != absl::InfiniteFuture()) {
      CostQuery left = q;
      CostQuery right = q;
      left.until = right.since = q.since + (q.until - q.since) / 2;
      auto total = [&](const CostQuery& query) {
        int64_t sum = 0;
        for (const CostTotal& t : Aggregate(rows, query, now).totals) sum += t.cost_nano;
        return sum;
      };
      EXPECT_EQ(total(left) + total(right), total(q));
    }
  }
}

}  // namespace
}  // namespace sluice::cost
