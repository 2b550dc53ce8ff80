// Reads a fuzzer's bytes as a stream of small decisions. Past the end every read yields 0, so
// any input, however short, is a complete program for a target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace zbfuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

  bool empty() const noexcept { return pos_ >= size_; }

  std::uint8_t u8() noexcept { return empty() ? 0 : data_[pos_++]; }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint64_t u64() noexcept {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(u8()) << (8 * i);
    return value;
  }

  /// Up to `n` of the next bytes (fewer at the end of the input).
  std::span<const std::byte> bytes(std::size_t n) noexcept {
    const std::size_t take = empty() ? 0 : (n < size_ - pos_ ? n : size_ - pos_);
    const auto* start = reinterpret_cast<const std::byte*>(data_ + pos_);
    pos_ += take;
    return {start, take};
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace zbfuzz
