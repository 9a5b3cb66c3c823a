#include "tools/kubesim/ids.h"

#include <cstdint>

#include "absl/random/random.h"

namespace sluice::kubesim {
namespace {

absl::InsecureBitGen& Gen() {
  thread_local absl::InsecureBitGen gen;
  return gen;
}

}  // namespace

std::string NewUid() {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t hi = absl::Uniform<uint64_t>(Gen());
  const uint64_t lo = absl::Uniform<uint64_t>(Gen());
  uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(hi >> (8 * i));
    bytes[8 + i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

std::string RandomNameSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(5, ' ');
  for (char& c : out) c = kAlphabet[absl::Uniform<size_t>(Gen(), 0, sizeof(kAlphabet) - 1)];
  return out;
}

}  // namespace sluice::kubesim
