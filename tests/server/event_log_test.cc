#include "scheduler/server/event_log.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

std::vector<PodEvent> Events(int n, const std::string& workflow, int first = 0) {
  std::vector<PodEvent> events;
  for (int i = 0; i < n; ++i) {
    PodEvent e;
    e.pod_key = absl::StrCat("ns/p", first + i);
    e.namespace_length = 2;
    e.workflow_uid = workflow;
    events.push_back(std::move(e));
  }
  return events;
}

TEST(EventLogTest, SequencesStartAtOneAndIncrease) {
  EventLog log(100);
  auto batch = Events(3, "wf");
  log.Publish(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(log.last_sequence(), 3u);
  std::vector<SequencedEvent> out;
  uint64_t next = 0;
  ASSERT_EQ(log.Read(0, "", 10, 100, &out, &next), EventLog::ReadStatus::kOk);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].sequence, 1u);
  EXPECT_EQ(out[2].sequence, 3u);
  EXPECT_EQ(out[2].event.pod_key, "ns/p2");
  EXPECT_EQ(next, 3u);
}

TEST(EventLogTest, ResumesAfterASequence) {
  EventLog log(100);
  auto batch = Events(5, "wf");
  log.Publish(batch);
  std::vector<SequencedEvent> out;
  uint64_t next = 0;
  log.Read(3, "", 10, 100, &out, &next);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].sequence, 4u);
  out.clear();
  log.Read(5, "", 10, 100, &out, &next);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(next, 5u);
}

TEST(EventLogTest, FiltersByWorkflowAndAdvancesPastOthers) {
  EventLog log(100);
  auto a = Events(2, "a");
  auto b = Events(3, "b", 2);
  log.Publish(a);
  log.Publish(b);
  std::vector<SequencedEvent> out;
  uint64_t next = 0;
  log.Read(0, "b", 10, 100, &out, &next);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].sequence, 3u);
  EXPECT_EQ(next, 5u);
}

TEST(EventLogTest, MaxEventsAndScanBoundTheRead) {
  EventLog log(100);
  auto batch = Events(10, "wf");
  log.Publish(batch);
  std::vector<SequencedEvent> out;
  uint64_t next = 0;
  log.Read(0, "", 4, 100, &out, &next);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(next, 4u);
  out.clear();
  log.Read(0, "nobody", 100, 6, &out, &next);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(next, 6u);  // scanned 6, none matched: resume from there
}

TEST(EventLogTest, AReaderThatFellBehindIsTold) {
  EventLog log(4);
  auto batch = Events(10, "wf");
  log.Publish(batch);  // keeps 7..10
  std::vector<SequencedEvent> out;
  uint64_t next = 0;
  EXPECT_EQ(log.Read(5, "", 10, 100, &out, &next), EventLog::ReadStatus::kTooOld);
  EXPECT_EQ(log.Read(6, "", 10, 100, &out, &next), EventLog::ReadStatus::kOk);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].sequence, 7u);
}

TEST(EventLogTest, SubscribersAreNotifiedUntilCancelled) {
  EventLog log(100);
  std::atomic<int> calls{0};
  auto sub = log.Subscribe([&calls] { ++calls; });
  auto batch = Events(1, "wf");
  log.Publish(batch);
  EXPECT_EQ(calls.load(), 1);
  sub->Cancel();
  batch = Events(1, "wf");
  log.Publish(batch);
  EXPECT_EQ(calls.load(), 1);
}

TEST(EventLogTest, SubscribersStayRegisteredAcrossPublishes) {
  EventLog log(100);
  std::atomic<int> first{0};
  std::atomic<int> second{0};
  auto a = log.Subscribe([&first] { ++first; });
  auto b = log.Subscribe([&second] { ++second; });
  for (int i = 0; i < 5; ++i) {
    auto batch = Events(1, "wf", i);
    log.Publish(batch);
  }
  EXPECT_EQ(first.load(), 5);
  EXPECT_EQ(second.load(), 5);
  EXPECT_EQ(log.subscribers(), 2u);
}

TEST(EventLogTest, DroppedSubscriptionsAreForgotten) {
  EventLog log(100);
  std::atomic<int> calls{0};
  {
    auto sub = log.Subscribe([&calls] { ++calls; });
  }
  auto batch = Events(1, "wf");
  log.Publish(batch);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(log.subscribers(), 0u);
}

}  // namespace
}  // namespace sluice
