// Fuzz target: Kubernetes quantities (sluice::Quantity). Whatever parses
// prints canonically, and the canonical text parses back to the same value.
// (Not to the same text: like Kubernetes, "9990631812.5Ki" prints
// "10230406976000", a BinarySI value with no exact binary suffix, which parses
// as DecimalSI and prints "10230406976k".)
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "scheduler/common/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = sluice::Quantity::Parse(text);
  if (!q.ok()) return 0;
  const std::string canonical = q->String();
  auto back = sluice::Quantity::Parse(canonical);
  if (!back.ok() || back->Cmp(*q) != 0) __builtin_trap();
  auto again = sluice::Quantity::Parse(back->String());
  if (!again.ok() || again->Cmp(*q) != 0) __builtin_trap();
  (void)q->Value();
  (void)q->MilliValue();
  sluice::Quantity sum = *q;
  sum.Add(*q);
  sum.Sub(*q);
  sluice::Quantity rounded = *q;
  rounded.RoundUp(-3);
  if (rounded.Cmp(sluice::Quantity()) * q->Sign() < 0) __builtin_trap();
  return 0;
}
