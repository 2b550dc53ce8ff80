#include "text.h"

#include <cstdint>

namespace zbserve {

bool is_valid_utf8(std::span<const std::byte> bytes) noexcept {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  auto at = [&](std::size_t k) { return static_cast<std::uint8_t>(bytes[k]); };
  auto continuation = [&](std::size_t k) { return k < n && (at(k) & 0xC0) == 0x80; };
  while (i < n) {
    const std::uint8_t b = at(i);
    if (b < 0x80) {
      ++i;
    } else if (b >= 0xC2 && b <= 0xDF) {
      if (!continuation(i + 1)) return false;
      i += 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (!continuation(i + 1) || !continuation(i + 2)) return false;
      const std::uint8_t b1 = at(i + 1);
      if (b == 0xE0 && b1 < 0xA0) return false;  // overlong
      if (b == 0xED && b1 > 0x9F) return false;  // surrogate
      i += 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return false;
      const std::uint8_t b1 = at(i + 1);
      if (b == 0xF0 && b1 < 0x90) return false;  // overlong
      if (b == 0xF4 && b1 > 0x8F) return false;  // above U+10FFFF
      i += 4;
    } else {
      return false;  // stray continuation byte, overlong lead (C0, C1) or F5..FF
    }
  }
  return true;
}

std::string to_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::span<const std::byte> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

}  // namespace zbserve
