#include "scheduler/engine/fair_queue.h"

#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

// Owns namespaces, flows and intents for a test; intents are named
// "<flow>-<n>" so the pop order reads naturally.
class QueueFixture : public ::testing::Test {
 protected:
  NamespaceQueue* Namespace(int32_t priority = 0, double weight = 1) {
    namespaces_.push_back(std::make_unique<NamespaceQueue>(priority, weight));
    return namespaces_.back().get();
  }
  FlowQueue* Flow(NamespaceQueue* ns, const std::string& name, double weight = 1) {
    flows_.push_back(std::make_unique<FlowQueue>(ns, weight));
    names_[flows_.back().get()] = name;
    return flows_.back().get();
  }
  Intent* Add(FlowQueue* flow, int count = 1) {
    Intent* last = nullptr;
    for (int i = 0; i < count; ++i) {
      IntentSpec spec;
      spec.SetKey("ns", absl::StrCat(names_[flow], "-", counters_[flow]++));
      intents_.push_back(std::make_unique<Intent>(std::move(spec)));
      last = intents_.back().get();
      queue_.PushBack(flow, last);
    }
    return last;
  }
  std::string PopName() {
    Intent* intent = queue_.Pop();
    return intent == nullptr ? "<empty>" : std::string(intent->spec.pod_name());
  }
  // The flow names of the next n pops.
  std::string PopFlows(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      std::string name = PopName();
      out += name.substr(0, name.find('-'));
      if (i + 1 < n) out += " ";
    }
    return out;
  }

  FairQueue queue_;
  std::vector<std::unique_ptr<NamespaceQueue>> namespaces_;
  std::vector<std::unique_ptr<FlowQueue>> flows_;
  std::vector<std::unique_ptr<Intent>> intents_;
  std::map<FlowQueue*, std::string> names_;
  std::map<FlowQueue*, int> counters_;
};

TEST_F(QueueFixture, FifoWithinAFlow) {
  FlowQueue* a = Flow(Namespace(), "a");
  Add(a, 3);
  EXPECT_EQ(PopName(), "a-0");
  EXPECT_EQ(PopName(), "a-1");
  EXPECT_EQ(PopName(), "a-2");
  EXPECT_EQ(PopName(), "<empty>");
  EXPECT_TRUE(queue_.empty());
}

TEST_F(QueueFixture, RoundRobinBetweenWorkflows) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  FlowQueue* b = Flow(ns, "b");
  FlowQueue* c = Flow(ns, "c");
  Add(a, 3);
  Add(b, 3);
  Add(c, 1);
  EXPECT_EQ(PopFlows(7), "a b c a b a b");
}

TEST_F(QueueFixture, OnePodWorkflowBehindAHugeOneIsServedWithinOneRound) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* big = Flow(ns, "big");
  Add(big, 50'000);
  EXPECT_EQ(PopFlows(10), "big big big big big big big big big big");
  FlowQueue* small = Flow(ns, "small");
  Add(small, 1);
  // A newcomer is served next, then takes turns.
  EXPECT_EQ(PopFlows(3), "small big big");
  EXPECT_EQ(queue_.size(), 50'000u - 12u);
}

TEST_F(QueueFixture, NewcomersGoFirstInTheOrderTheyArrived) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* big = Flow(ns, "big");
  FlowQueue* other = Flow(ns, "other");
  Add(big, 100);
  Add(other, 100);
  EXPECT_EQ(PopFlows(4), "big other big other");
  Add(Flow(ns, "s1"), 2);
  Add(Flow(ns, "s2"), 1);
  EXPECT_EQ(PopFlows(1), "s1");
  Add(Flow(ns, "s3"), 1);  // behind s2, which has not been served yet
  // After their first visit the newcomers take turns at the end of the round.
  EXPECT_EQ(PopFlows(7), "s2 s3 big other s1 big other");
}

TEST_F(QueueFixture, AWorkflowThatEmptiedAndCameBackIsANewcomerAgain) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* big = Flow(ns, "big");
  FlowQueue* sparse = Flow(ns, "sparse");
  Add(big, 100);
  Add(sparse, 1);
  EXPECT_EQ(PopFlows(3), "big sparse big");
  Add(sparse, 1);
  EXPECT_EQ(PopFlows(2), "sparse big");
  // A backlogged flow gets no more than its share: one visit per round.
  Add(sparse, 3);
  EXPECT_EQ(PopFlows(6), "sparse big sparse big sparse big");
}

TEST_F(QueueFixture, ANewcomerLetsAHeavierFlowFinishItsVisitAfterIt) {
  NamespaceQueue* ns = Namespace();
  Add(Flow(ns, "h", 3), 10);
  Add(Flow(ns, "o"), 10);
  EXPECT_EQ(PopFlows(4), "h h h o");
  EXPECT_EQ(PopFlows(1), "h");  // a visit of three, one used
  Add(Flow(ns, "n"), 1);
  EXPECT_EQ(PopFlows(4), "n h h o");
}

TEST_F(QueueFixture, ANewcomerWaitsForTheNewcomersBeforeIt) {
  NamespaceQueue* ns = Namespace();
  Add(Flow(ns, "h", 3), 10);  // a newcomer whose first visit is three pops
  EXPECT_EQ(PopFlows(1), "h");
  Add(Flow(ns, "n"), 1);
  EXPECT_EQ(PopFlows(4), "h h n h");
}

TEST_F(QueueFixture, AnUnparkedFlowRejoinsAtTheEndOfTheRound) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  FlowQueue* b = Flow(ns, "b");
  FlowQueue* c = Flow(ns, "c");
  Add(a, 3);
  Add(b, 3);
  Add(c, 3);
  struct RefuseA : AdmissionGate {
    FlowQueue* a;
    bool Admit(Intent* intent) override { return intent->flow != a; }
    void Parked(FlowQueue*, Intent*) override {}
  } gate;
  gate.a = a;
  Intent* first = queue_.Pop(&gate);  // a is parked, b served
  EXPECT_EQ(first->spec.pod_name(), "b-0");
  queue_.Unpark(a);
  // The round goes on from c; a rejoins behind b, the last of the round.
  EXPECT_EQ(PopFlows(4), "c b a c");
}

TEST_F(QueueFixture, ANewNamespaceIsANewcomerAmongNamespaces) {
  NamespaceQueue* ns1 = Namespace();
  NamespaceQueue* ns2 = Namespace();
  Add(Flow(ns1, "a"), 10);
  Add(Flow(ns2, "x"), 10);
  EXPECT_EQ(PopFlows(3), "a x a");
  Add(Flow(Namespace(), "n"), 2);
  EXPECT_EQ(PopFlows(4), "n x a n");
}

TEST_F(QueueFixture, NamespacesShareBeforeWorkflows) {
  NamespaceQueue* ns1 = Namespace();
  NamespaceQueue* ns2 = Namespace();
  FlowQueue* a = Flow(ns1, "a");
  FlowQueue* b = Flow(ns1, "b");
  FlowQueue* c = Flow(ns1, "c");
  FlowQueue* x = Flow(ns2, "x");
  Add(a, 2);
  Add(b, 2);
  Add(c, 2);
  Add(x, 3);
  // ns1 and ns2 alternate; inside ns1, a, b, c take turns.
  EXPECT_EQ(PopFlows(9), "a x b x c x a b c");
}

TEST_F(QueueFixture, WeightsAreShares) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* heavy = Flow(ns, "h", 2);
  FlowQueue* light = Flow(ns, "l", 1);
  Add(heavy, 6);
  Add(light, 6);
  EXPECT_EQ(PopFlows(9), "h h l h h l h h l");
}

TEST_F(QueueFixture, FractionalWeightServesEveryOtherRound) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* half = Flow(ns, "h", 0.5);
  FlowQueue* one = Flow(ns, "o", 1);
  Add(half, 4);
  Add(one, 4);
  EXPECT_EQ(PopFlows(6), "o h o o h o");
}

TEST_F(QueueFixture, NamespaceWeights) {
  NamespaceQueue* heavy = Namespace(0, 3);
  NamespaceQueue* light = Namespace(0, 1);
  Add(Flow(heavy, "h"), 8);
  Add(Flow(light, "l"), 8);
  EXPECT_EQ(PopFlows(8), "h h h l h h h l");
}

TEST_F(QueueFixture, PriorityIsStrict) {
  NamespaceQueue* low = Namespace(0);
  NamespaceQueue* high = Namespace(10);
  FlowQueue* l = Flow(low, "low");
  FlowQueue* h = Flow(high, "high");
  Add(l, 2);
  EXPECT_EQ(PopFlows(1), "low");
  Add(h, 2);
  EXPECT_EQ(PopFlows(3), "high high low");
}

TEST_F(QueueFixture, RemoveFromTheMiddleAndEmptyingAFlow) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  FlowQueue* b = Flow(ns, "b");
  Add(a, 1);
  Intent* a1 = Add(a, 1);
  Add(a, 1);
  Intent* b0 = Add(b, 1);
  queue_.Remove(a1);
  queue_.Remove(b0);  // b empties and leaves the ring
  EXPECT_EQ(queue_.size(), 2u);
  EXPECT_EQ(PopName(), "a-0");
  EXPECT_EQ(PopName(), "a-2");
  EXPECT_EQ(PopName(), "<empty>");
  EXPECT_EQ(ns->active_flows(), 0u);
}

TEST_F(QueueFixture, PushFrontKeepsAPlace) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  Add(a, 2);
  Intent* first = queue_.Pop();
  queue_.PushFront(a, first);
  EXPECT_EQ(PopName(), "a-0");
  EXPECT_EQ(PopName(), "a-1");
}

TEST_F(QueueFixture, FlowRejoiningGoesToTheEndOfTheRound) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  FlowQueue* b = Flow(ns, "b");
  FlowQueue* c = Flow(ns, "c");
  Add(a, 1);
  Add(b, 2);
  Add(c, 2);
  EXPECT_EQ(PopFlows(1), "a");  // a empties and leaves
  Add(a, 1);                    // and rejoins behind c
  EXPECT_EQ(PopFlows(5), "b c a b c");
}

TEST_F(QueueFixture, EqualSharesOverALongRun) {
  NamespaceQueue* ns = Namespace();
  std::vector<FlowQueue*> flows;
  for (int i = 0; i < 7; ++i) {
    flows.push_back(Flow(ns, absl::StrCat("f", i)));
    Add(flows.back(), 1000);
  }
  std::map<std::string, int> served;
  for (int i = 0; i < 700; ++i) {
    std::string name = PopName();
    ++served[name.substr(0, name.find('-'))];
  }
  for (const auto& [name, count] : served) EXPECT_EQ(count, 100) << name;
}

// Admits intents whose name is in `allowed`; records parked flows.
class SetGate : public AdmissionGate {
 public:
  bool Admit(Intent* intent) override {
    ++checks;
    return allowed.count(std::string(intent->spec.pod_name())) > 0;
  }
  void Parked(FlowQueue* flow, Intent* head) override {
    parked.push_back(flow);
    parked_heads.push_back(std::string(head->spec.pod_name()));
  }
  std::set<std::string> allowed;
  std::vector<FlowQueue*> parked;
  std::vector<std::string> parked_heads;
  int checks = 0;
};

TEST_F(QueueFixture, GateParksAFlowAndOthersGoOn) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  FlowQueue* b = Flow(ns, "b");
  Add(a, 3);
  Add(b, 3);
  SetGate gate;
  gate.allowed = {"b-0", "b-1", "b-2"};
  queue_.set_backfill_scan(0);
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "b-0");
  ASSERT_EQ(gate.parked.size(), 1u);
  EXPECT_EQ(gate.parked[0], a);
  EXPECT_EQ(gate.parked_heads[0], "a-0");
  EXPECT_TRUE(a->parked());
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "b-1");
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "b-2");
  EXPECT_EQ(queue_.Pop(&gate), nullptr);  // only the parked flow is left
  EXPECT_EQ(queue_.size(), 3u);
  EXPECT_EQ(ns->parked_flows(), 1u);
  EXPECT_EQ(ns->parked_intents(), 3u);
  // Headroom grows: unpark, and a's intents go in order.
  gate.allowed = {"a-0", "a-1", "a-2"};
  queue_.UnparkAll(ns);
  EXPECT_EQ(ns->parked_flows(), 0u);
  EXPECT_EQ(PopFlows(3), "a a a");
}

TEST_F(QueueFixture, BackfillTakesASmallerIntentBehindABlockedHead) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  Add(a, 4);
  SetGate gate;
  gate.allowed = {"a-2"};
  queue_.set_backfill_scan(2);  // looks at a-1 and a-2 behind a-0
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "a-2");
  EXPECT_FALSE(a->parked());
  EXPECT_EQ(queue_.Pop(&gate), nullptr);  // a-0, then a-1 and a-3: none admitted
  EXPECT_TRUE(a->parked());
  gate.allowed = {"a-0", "a-1", "a-3"};
  queue_.Unpark(a);
  EXPECT_EQ(PopName(), "a-0");
  EXPECT_EQ(PopName(), "a-1");
  EXPECT_EQ(PopName(), "a-3");
}

TEST_F(QueueFixture, BackfillScanIsBounded) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  Add(a, 100);
  SetGate gate;
  gate.allowed = {"a-50"};
  queue_.set_backfill_scan(16);
  EXPECT_EQ(queue_.Pop(&gate), nullptr);
  EXPECT_EQ(gate.checks, 17);  // the head and 16 behind it
}

TEST_F(QueueFixture, ParkedNamespaceLetsOtherNamespacesAndLevelsGo) {
  NamespaceQueue* high = Namespace(10);
  NamespaceQueue* low = Namespace(0);
  FlowQueue* h = Flow(high, "h");
  FlowQueue* l = Flow(low, "l");
  Add(h, 2);
  Add(l, 2);
  SetGate gate;
  gate.allowed = {"l-0", "l-1"};
  queue_.set_backfill_scan(0);
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "l-0");
  EXPECT_EQ(high->active_flows(), 0u);
  EXPECT_EQ(queue_.Pop(&gate)->spec.pod_name(), "l-1");
  EXPECT_EQ(queue_.Pop(&gate), nullptr);
}

TEST_F(QueueFixture, PushFrontUnparks) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  Add(a, 1);
  SetGate gate;
  queue_.set_backfill_scan(0);
  EXPECT_EQ(queue_.Pop(&gate), nullptr);
  ASSERT_TRUE(a->parked());
  IntentSpec spec;
  spec.SetKey("ns", "retry");
  intents_.push_back(std::make_unique<Intent>(std::move(spec)));
  queue_.PushFront(a, intents_.back().get());
  EXPECT_FALSE(a->parked());
  EXPECT_EQ(PopName(), "retry");
}

TEST_F(QueueFixture, EmptiedParkedFlowIsNoLongerParked) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* a = Flow(ns, "a");
  Intent* only = Add(a, 1);
  SetGate gate;
  EXPECT_EQ(queue_.Pop(&gate), nullptr);
  ASSERT_TRUE(a->parked());
  queue_.Remove(only);
  EXPECT_FALSE(a->parked());
  EXPECT_EQ(ns->parked_flows(), 0u);
  Add(a, 1);
  EXPECT_EQ(PopName(), "a-1");
}

TEST_F(QueueFixture, FairShareAmongUnparkedFlowsAfterUnpark) {
  NamespaceQueue* ns = Namespace();
  FlowQueue* big = Flow(ns, "big");
  FlowQueue* small = Flow(ns, "small");
  Add(big, 10);
  Add(small, 2);
  SetGate gate;  // nothing fits
  queue_.set_backfill_scan(0);
  EXPECT_EQ(queue_.Pop(&gate), nullptr);
  ASSERT_TRUE(big->parked() && small->parked());
  queue_.Unpark(big);
  queue_.Unpark(small);
  // Headroom for 3 pods: the small workflow gets its share.
  EXPECT_EQ(PopFlows(3), "big small big");
}

}  // namespace
}  // namespace sluice
