// The payload pattern: byte[i] = (i + 7 * sequence + seed) mod 251. Frames never travel
// through JSON; writers generate them from (seed, sequence, size); the harness checks what
// readers report against it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace zbserve::pattern {

inline constexpr std::uint64_t kModulus = 251;

/// Pattern value of byte 0 of a frame: (7 * sequence + seed) mod 251. `seed` is already reduced.
constexpr std::uint8_t phase(std::uint64_t sequence, std::uint8_t seed) noexcept {
  return static_cast<std::uint8_t>((7 * (sequence % kModulus) + seed) % kModulus);
}

/// Fills `out` with the pattern of (sequence, seed).
void fill(std::span<std::byte> out, std::uint64_t sequence, std::uint8_t seed) noexcept;

}  // namespace zbserve::pattern
