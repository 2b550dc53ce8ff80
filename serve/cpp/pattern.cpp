#include "pattern.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace zbserve::pattern {
namespace {

// The pattern has period 251, so a table of (i mod 251) holding one block (a multiple of 251
// bytes) plus 251 bytes of lead-in serves every phase: block copies, no per-byte math.
constexpr std::size_t kBlock = kModulus * 64;  // 16064 bytes

constexpr std::array<std::byte, kModulus + kBlock> make_table() {
  std::array<std::byte, kModulus + kBlock> table{};
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<std::byte>(i % kModulus);
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

void fill(std::span<std::byte> out, std::uint64_t sequence, std::uint8_t seed) noexcept {
  const std::byte* source = kTable.data() + phase(sequence, seed);
  for (std::size_t at = 0; at < out.size(); at += kBlock) {
    std::memcpy(out.data() + at, source, std::min(kBlock, out.size() - at));
  }
}

}  // namespace zbserve::pattern
