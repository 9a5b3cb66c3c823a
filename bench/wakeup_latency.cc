// How late this machine wakes a thread that does nothing but sleep: the
// floor under any latency bound a scenario measures (the fanout's bound for a
// small workflow's first create is 4 ms at 1,000 creates/s). Run it alone,
// then beside a scenario:
//   build/bin/wakeup_latency --seconds 60 --sleep-us 1000
// and compare the counts of wake-ups later than the bound.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "CLI/CLI.hpp"

namespace {

int64_t NowNanos() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 30;
  int64_t sleep_us = 1'000;
  std::vector<double> bounds_ms = {2, 4};
  CLI::App app{"wakeup_latency: how late sleeping threads wake on this machine"};
  app.add_option("--seconds", seconds, "How long to measure")->check(CLI::PositiveNumber);
  app.add_option("--sleep-us", sleep_us, "Each sleep, in microseconds")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  app.add_option("--late-ms", bounds_ms, "Count wake-ups later than these (ms)");
  CLI11_PARSE(app, argc, argv);

  std::vector<int64_t> late;
  const int64_t end = NowNanos() + static_cast<int64_t>(seconds * 1e9);
  const timespec nap{static_cast<time_t>(sleep_us / 1'000'000),
                     static_cast<long>(sleep_us % 1'000'000 * 1'000)};
  while (NowNanos() < end) {
    const int64_t before = NowNanos();
    nanosleep(&nap, nullptr);
    late.push_back(NowNanos() - before - sleep_us * 1'000);
  }
  std::sort(late.begin(), late.end());
  const auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto quantile = [&](double q) {
    return ms(late[static_cast<size_t>(q * static_cast<double>(late.size() - 1))]);
  };
  std::printf("wake-ups %zu; late: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms",
              late.size(), quantile(0.5), quantile(0.99), quantile(0.999), ms(late.back()));
  for (double bound : bounds_ms) {
    const auto over =
        std::count_if(late.begin(), late.end(), [&](int64_t l) { return ms(l) > bound; });
    std::printf("; > %g ms: %td", bound, over);
  }
  std::printf("\n");
  return 0;
}
