// The fault policy: settings from JSON, and seeded, reproducible draws.
#include "tools/kubesim/fault_policy.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

using Before = RequestFaults::Before;

TEST(FaultSettingsJson, PartialUpdateOverBase) {
  FaultSettings base;
  base.rate_500 = 0.25;
  auto s = ParseFaultSettingsJson(
      R"({"rate_503":0.5,"retry_after_503_s":7,"spike_rate":0.1,"spike_ms":2500,)"
      R"("watch_cut_s":1.5,"watch_410_rate":1,"latency_ms":3})",
      base);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->rate_500, 0.25);  // kept
  EXPECT_EQ(s->rate_503, 0.5);
  EXPECT_EQ(s->retry_after_503_s, 7);
  EXPECT_EQ(s->spike, absl::Milliseconds(2500));
  EXPECT_EQ(s->watch_cut, absl::Milliseconds(1500));
  EXPECT_EQ(s->watch_410_rate, 1.0);
  EXPECT_EQ(s->latency, absl::Milliseconds(3));
}

TEST(FaultSettingsJson, RejectsBadValues) {
  const FaultSettings base;
  for (const char* bad : {"[]", "{", R"({"rate_500":1.5})", R"({"rate_500":-0.1})",
                          R"({"rate_500":"x"})", R"({"spike_ms":-1})", R"({"nope":1})",
                          R"({"retry_after_503_s":0})", R"({"retry_after_503_s":1.5})"}) {
    EXPECT_FALSE(ParseFaultSettingsJson(bad, base).ok()) << bad;
  }
  EXPECT_TRUE(ParseFaultSettingsJson("{}", base).ok());
}

TEST(FaultPolicy, NoFaultsByDefault) {
  FaultPolicy p;
  for (int i = 0; i < 1000; ++i) {
    RequestFaults f = p.PlanRequest(true, false, true);
    EXPECT_EQ(f.before, Before::kNone);
    EXPECT_FALSE(f.create_5xx || f.reset_after || f.drop_after_headers || f.spiked);
    EXPECT_EQ(f.delay, absl::ZeroDuration());
    EXPECT_FALSE(p.PlanWatch(true).expire_410);
  }
}

std::vector<int> Sequence(uint64_t seed) {
  FaultSettings s;
  s.rate_500 = 0.1;
  s.rate_503 = 0.1;
  s.reset_after_rate = 0.2;
  FaultPolicy p(s, seed);
  std::vector<int> out;
  for (int i = 0; i < 200; ++i) {
    RequestFaults f = p.PlanRequest(true, false, false);
    out.push_back(static_cast<int>(f.before) * 10 + (f.reset_after ? 1 : 0));
  }
  return out;
}

TEST(FaultPolicy, SameSeedSameFaults) {
  EXPECT_EQ(Sequence(42), Sequence(42));
  EXPECT_NE(Sequence(42), Sequence(43));
}

TEST(FaultPolicy, SharesAreRespected) {
  FaultSettings s;
  s.rate_500 = 0.1;
  s.rate_503 = 0.2;
  s.retry_after_503_s = 3;
  s.reset_before_rate = 0.05;
  s.reset_after_rate = 0.1;
  s.spike_rate = 0.3;
  s.spike = absl::Seconds(2);
  s.latency = absl::Milliseconds(1);
  FaultPolicy p(s, 7);
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    RequestFaults f = p.PlanRequest(false, false, false);
    if (f.before == Before::k503) {
      EXPECT_EQ(f.retry_after_503_s, 3);
    }
    if (f.before != Before::kNone) {
      EXPECT_FALSE(f.reset_after);
    }
    EXPECT_EQ(f.delay, f.spiked ? absl::Milliseconds(2001) : absl::Milliseconds(1));
  }
  const FaultCounts counts = p.counts();
  auto D = [](int64_t v) { return static_cast<double>(v); };
  // Nested draws: 500 among those not reset, 503 among those not 500, ...
  EXPECT_NEAR(D(counts.reset_before), n * 0.05, n * 0.01);
  EXPECT_NEAR(D(counts.answered_500), n * 0.95 * 0.1, n * 0.01);
  EXPECT_NEAR(D(counts.answered_503), n * 0.95 * 0.9 * 0.2, n * 0.01);
  EXPECT_NEAR(D(counts.reset_after), n * 0.95 * 0.9 * 0.8 * 0.1, n * 0.01);
  EXPECT_NEAR(D(counts.spikes), n * 0.3, n * 0.015);
  EXPECT_EQ(counts.answered_429, 0);  // reads are never 429
}

TEST(FaultPolicy, KindsApplyToTheirRequests) {
  FaultSettings s;
  s.rate_429 = 1;
  s.create_5xx_rate = 1;
  s.reset_after_rate = 1;
  FaultPolicy p(s, 1);
  EXPECT_EQ(p.PlanRequest(true, false, true).before, Before::k429);
  s.rate_429 = 0;
  p.Set(s);
  RequestFaults create = p.PlanRequest(true, false, true);
  EXPECT_TRUE(create.create_5xx);
  EXPECT_FALSE(create.reset_after);  // one after-execution fault at most
  RequestFaults del = p.PlanRequest(true, false, false);
  EXPECT_TRUE(del.reset_after);
  RequestFaults watch = p.PlanRequest(false, true, false);
  EXPECT_FALSE(watch.reset_after);  // watches are cut by watch_cut instead
}

TEST(FaultPolicy, WatchFaults) {
  FaultSettings s;
  s.watch_410_rate = 1;
  s.watch_cut = absl::Seconds(5);
  FaultPolicy p(s, 1);
  EXPECT_FALSE(p.PlanWatch(false).expire_410);  // only resuming watches get 410
  WatchFaults w = p.PlanWatch(true);
  EXPECT_TRUE(w.expire_410);
  EXPECT_EQ(w.cut_after, absl::Seconds(5));
  p.RecordWatchCut();
  EXPECT_EQ(p.counts().watches_cut, 1);
  EXPECT_EQ(p.counts().watches_expired, 1);
}

TEST(FaultPolicy, JsonRoundTrips) {
  FaultSettings s;
  s.rate_500 = 0.5;
  s.spike = absl::Milliseconds(250);
  s.watch_cut = absl::Seconds(3);
  FaultPolicy p(s, 1);
  const std::string json = p.Json();
  const size_t at = json.find("\"settings\":");
  ASSERT_NE(at, std::string::npos);
  const size_t end = json.find('}', at);
  auto back = ParseFaultSettingsJson(json.substr(at + 11, end - at - 10), FaultSettings{});
  ASSERT_TRUE(back.ok()) << back.status() << json;
  EXPECT_EQ(back->rate_500, 0.5);
  EXPECT_EQ(back->spike, absl::Milliseconds(250));
  EXPECT_EQ(back->watch_cut, absl::Seconds(3));
  EXPECT_NE(json.find("\"injected\":{\"answered_500\":0"), std::string::npos) << json;
}

}  // namespace
}  // namespace sluice::kubesim
