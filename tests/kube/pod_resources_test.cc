#include "scheduler/kube/pod_resources.h"

#include <string>

#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

ResourceList L(const char* text) { return *ResourceList::Parse(text); }

ContainerResources C(const char* requests, const char* limits = "", bool restartable = false) {
  return ContainerResources{L(requests), L(limits), restartable};
}

std::string Requests(const PodResources& pod, bool pod_level = true) {
  ResourceList out;
  EXPECT_TRUE(ComputePodRequests(pod, pod_level, &out));
  return out.ToString();
}

std::string Limits(const PodResources& pod, bool pod_level = true) {
  ResourceList out;
  EXPECT_TRUE(ComputePodLimits(pod, pod_level, &out));
  return out.ToString();
}

TEST(PodResourcesTest, SumOfContainersAgainstEachInitContainer) {
  PodResources pod;
  pod.containers = {C("cpu=1,memory=1Gi"), C("cpu=500m")};
  pod.init_containers = {C("cpu=1,memory=2Gi"), C("cpu=2")};
  EXPECT_EQ(Requests(pod), "cpu=2,memory=2Gi");
  EXPECT_EQ(Limits(pod), "");
}

TEST(PodResourcesTest, SidecarsCountForContainersAndLaterInitContainers) {
  // The example of KEP-753 "resources calculation for scheduling": init
  // containers [sidecar 1, init 2, sidecar 3], containers [1, 1].
  PodResources pod;
  pod.init_containers = {C("cpu=100m", "", /*restartable=*/true), C("cpu=2"),
                         C("cpu=300m", "", /*restartable=*/true)};
  pod.containers = {C("cpu=1"), C("cpu=1")};
  // Running: 1 + 1 + 100m + 300m = 2400m; init peak: 2 + 100m = 2100m.
  EXPECT_EQ(Requests(pod), "cpu=2400m");
  pod.init_containers[1] = C("cpu=3");
  EXPECT_EQ(Requests(pod), "cpu=3100m");
  // A sidecar declared after an init container does not add to it.
  pod.init_containers = {C("cpu=3"), C("cpu=1", "", /*restartable=*/true)};
  pod.containers = {C("cpu=1")};
  EXPECT_EQ(Requests(pod), "cpu=3");
}

TEST(PodResourcesTest, DefaultsCopyLimitsToMissingRequestsAndRoundToMilli) {
  PodResources pod;
  pod.containers = {C("memory=1Gi", "cpu=2,memory=2Gi,nvidia.com/gpu=1"), C("cpu=0.1m")};
  pod.init_containers = {C("", "cpu=1500u")};
  pod.overhead = L("cpu=1n");
  ApplyApiServerDefaults(/*pod_level_resources=*/true, &pod);
  EXPECT_EQ(pod.containers[0].requests.ToString(), "cpu=2,memory=1Gi,nvidia.com/gpu=1");
  EXPECT_EQ(pod.containers[1].requests.ToString(), "cpu=1m");
  EXPECT_EQ(pod.init_containers[0].requests.ToString(), "cpu=2m");
  EXPECT_EQ(pod.init_containers[0].limits.ToString(), "cpu=2m");
  EXPECT_EQ(Requests(pod), "cpu=2002m,memory=1Gi,nvidia.com/gpu=1");
  EXPECT_EQ(Limits(pod), "cpu=2001m,memory=2Gi,nvidia.com/gpu=1");
}

TEST(PodResourcesTest, OverheadOnRequestsAndOnNonZeroLimits) {
  PodResources pod;
  pod.containers = {C("cpu=1,memory=1Gi", "cpu=2,memory=0")};
  pod.overhead = L("cpu=250m,memory=120Mi,pods=1");
  EXPECT_EQ(Requests(pod), "cpu=1250m,memory=1144Mi,pods=1");
  EXPECT_EQ(Limits(pod), "cpu=2250m,memory=0");
}

TEST(PodResourcesTest, PodLevelResources) {
  PodResources pod;
  pod.containers = {C("cpu=500m,memory=1Gi,ephemeral-storage=1Gi")};
  pod.has_pod_level = true;
  pod.pod_requests = L("cpu=2,nvidia.com/gpu=4");
  pod.pod_limits = L("memory=8Gi");
  ApplyApiServerDefaults(/*pod_level_resources=*/true, &pod);
  // defaultPodRequests: memory from the aggregate container requests.
  EXPECT_EQ(pod.pod_requests.ToString(), "cpu=2,memory=1Gi,nvidia.com/gpu=4");
  // Only cpu, memory and hugepages-* are taken from the pod level.
  EXPECT_EQ(Requests(pod), "cpu=2,ephemeral-storage=1Gi,memory=1Gi");
  EXPECT_EQ(Limits(pod), "memory=8Gi");
  EXPECT_EQ(Requests(pod, /*pod_level=*/false), "cpu=500m,ephemeral-storage=1Gi,memory=1Gi");
  EXPECT_EQ(Limits(pod, /*pod_level=*/false), "");
}

TEST(PodResourcesTest, PodLevelHugePagesLimitsDefaultFromContainers) {
  PodResources pod;
  pod.containers = {C("", "hugepages-2Mi=4Mi,memory=1Gi")};
  pod.has_pod_level = true;
  pod.pod_limits = L("memory=2Gi");
  ApplyApiServerDefaults(/*pod_level_resources=*/true, &pod);
  EXPECT_EQ(pod.pod_limits.ToString(), "hugepages-2Mi=4Mi,memory=2Gi");
  EXPECT_EQ(pod.pod_requests.ToString(), "hugepages-2Mi=4Mi,memory=1Gi");
}

TEST(PodResourcesTest, ReportsSaturation) {
  PodResources pod;
  pod.containers = {ContainerResources{
      ResourceList{{"cpu", Quantity::FromNanos(Quantity::MaxNanos())}}, {}, false}};
  pod.overhead = L("cpu=1");
  ResourceList out;
  EXPECT_FALSE(ComputePodRequests(pod, true, &out));
  EXPECT_EQ(out.Get("cpu").nanos(), Quantity::MaxNanos());
}

TEST(ResourceNamesTest, Predicates) {
  EXPECT_TRUE(IsHugePagesResource("hugepages-2Mi"));
  EXPECT_FALSE(IsHugePagesResource("memory"));
  EXPECT_TRUE(IsNativeResource("cpu"));
  EXPECT_TRUE(IsNativeResource("kubernetes.io/foo"));
  EXPECT_FALSE(IsNativeResource("nvidia.com/gpu"));
  EXPECT_TRUE(IsOvercommitAllowed("memory"));
  EXPECT_FALSE(IsOvercommitAllowed("hugepages-1Gi"));
  EXPECT_FALSE(IsOvercommitAllowed("nvidia.com/gpu"));
  EXPECT_TRUE(IsExtendedResource("nvidia.com/gpu"));
  EXPECT_FALSE(IsExtendedResource("requests.nvidia.com/gpu"));
  EXPECT_FALSE(IsExtendedResource("cpu"));
  EXPECT_TRUE(IsPodLevelResource("hugepages-2Mi"));
  EXPECT_FALSE(IsPodLevelResource("ephemeral-storage"));
}

TEST(ResourceNamesTest, ContainerResourceNameError) {
  for (const char* ok : {"cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu",
                         "example.com/foo", "kubernetes.io/bar"}) {
    EXPECT_EQ(ContainerResourceNameError(ok), "") << ok;
  }
  EXPECT_EQ(ContainerResourceNameError("gpu"),
            "must be a standard resource type or fully qualified");
  EXPECT_EQ(ContainerResourceNameError("pods"), "must be a standard resource for containers");
  // Near the common names that skip the full check.
  for (const char* near : {"CPU", "cpus", "memor", "ephemeral"}) {
    EXPECT_EQ(ContainerResourceNameError(near),
              "must be a standard resource type or fully qualified")
        << near;
  }
  EXPECT_EQ(ContainerResourceNameError("example.com/cpu"), "");
  EXPECT_EQ(ContainerResourceNameError("/cpu"), "prefix part must be non-empty");
  EXPECT_EQ(ContainerResourceNameError("requests.cpu"),
            "must be a standard resource for containers");
  EXPECT_EQ(ContainerResourceNameError("requests.example.com/foo"),
            "doesn't follow extended resource name standard");
  EXPECT_EQ(ContainerResourceNameError(""), "name part must be non-empty");
}

}  // namespace
}  // namespace sluice::kube
