#ifndef SLUICE_TESTS_INTEGRATION_TIME_SCALE_H_
#define SLUICE_TESTS_INTEGRATION_TIME_SCALE_H_

#include <algorithm>
#include <cstdlib>

namespace sluice::testing {

// How much longer the process-level tests may take than their deadlines say:
// SLUICE_TEST_TIME_SCALE, which CMake sets on every test (3 in the TSan build,
// whose instrumented binaries run 5-15x slower; 1 elsewhere).
inline int TimeScale() {
  const char* scale = std::getenv("SLUICE_TEST_TIME_SCALE");
  return std::max(scale != nullptr ? std::atoi(scale) : 1, 1);
}

}  // namespace sluice::testing

#endif  // SLUICE_TESTS_INTEGRATION_TIME_SCALE_H_
