#include "tools/kubesim/watch_hub.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

StoredEvent Event(uint64_t rv) { return StoredEvent{EventType::kAdded, rv, nullptr, nullptr}; }

std::vector<uint64_t> ReadAll(WatchHub& hub, uint64_t* seq) {
  std::vector<StoredEvent> out;
  EXPECT_EQ(hub.Read(seq, 100, absl::ZeroDuration(), &out), WatchHub::ReadStatus::kOk);
  std::vector<uint64_t> rvs;
  for (const auto& e : out) rvs.push_back(e.rv);
  return rvs;
}

TEST(WatchHubTest, ReadersFollowTheirCursor) {
  WatchHub hub(4, 10);
  uint64_t a = hub.end_seq();
  hub.Publish(Event(11));
  hub.Publish(Event(13));
  EXPECT_EQ(ReadAll(hub, &a), (std::vector<uint64_t>{11, 13}));
  EXPECT_TRUE(ReadAll(hub, &a).empty());
  hub.Publish(Event(14));
  EXPECT_EQ(ReadAll(hub, &a), (std::vector<uint64_t>{14}));
}

TEST(WatchHubTest, SeekAfterAndTooOld) {
  WatchHub hub(3, 10);
  EXPECT_EQ(hub.MinResumableRv(), 10u);
  EXPECT_EQ(hub.SeekAfter(9), std::nullopt);
  for (uint64_t rv : {12u, 15u, 16u}) hub.Publish(Event(rv));
  uint64_t seq = *hub.SeekAfter(12);
  EXPECT_EQ(ReadAll(hub, &seq), (std::vector<uint64_t>{15, 16}));
  seq = *hub.SeekAfter(10);
  EXPECT_EQ(ReadAll(hub, &seq), (std::vector<uint64_t>{12, 15, 16}));
  // Evict 12: resuming needs RV >= 14 (first kept event 15, minus one).
  hub.Publish(Event(20));
  EXPECT_EQ(hub.MinResumableRv(), 14u);
  EXPECT_EQ(hub.SeekAfter(13), std::nullopt);
  seq = *hub.SeekAfter(14);
  EXPECT_EQ(ReadAll(hub, &seq), (std::vector<uint64_t>{15, 16, 20}));
  seq = *hub.SeekAfter(20);
  EXPECT_TRUE(ReadAll(hub, &seq).empty());
}

TEST(WatchHubTest, SlowReaderFallsBehind) {
  WatchHub hub(2, 0);
  uint64_t seq = hub.end_seq();
  for (uint64_t rv : {1u, 2u, 3u}) hub.Publish(Event(rv));
  std::vector<StoredEvent> out;
  EXPECT_EQ(hub.Read(&seq, 10, absl::ZeroDuration(), &out), WatchHub::ReadStatus::kFellBehind);
}

TEST(WatchHubTest, CompactDropsHistory) {
  WatchHub hub(10, 0);
  uint64_t current = hub.end_seq();
  hub.Publish(Event(1));
  hub.Publish(Event(2));
  EXPECT_EQ(ReadAll(hub, &current), (std::vector<uint64_t>{1, 2}));
  uint64_t lagging = 0;
  hub.Compact(2);
  EXPECT_EQ(hub.MinResumableRv(), 2u);
  EXPECT_EQ(hub.SeekAfter(1), std::nullopt);
  std::vector<StoredEvent> out;
  EXPECT_EQ(hub.Read(&lagging, 10, absl::ZeroDuration(), &out), WatchHub::ReadStatus::kFellBehind);
  hub.Publish(Event(3));
  EXPECT_EQ(ReadAll(hub, &current), (std::vector<uint64_t>{3}));
}

TEST(WatchHubTest, CloseEndsReaders) {
  WatchHub hub(10, 0);
  uint64_t seq = 0;
  hub.Close();
  std::vector<StoredEvent> out;
  EXPECT_EQ(hub.Read(&seq, 10, absl::Seconds(10), &out), WatchHub::ReadStatus::kClosed);
}

}  // namespace
}  // namespace sluice::kubesim
