// What the example writer and reader agree on: frame sizes and contents derived from the
// sequence number, so the reader can verify every byte without any side channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace example {

inline std::size_t frame_size(std::uint64_t sequence, std::size_t max_size) {
  std::uint64_t x = sequence * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 29;
  return 1 + static_cast<std::size_t>(x % max_size);
}

/// Frame `sequence` holds bytes (i + 7 * sequence) mod 251: a window into one repeating table.
class Pattern {
 public:
  explicit Pattern(std::size_t max_size) : table_(max_size + 251) {
    for (std::size_t i = 0; i < table_.size(); ++i) table_[i] = std::byte(i % 251);
  }
  const std::byte* frame(std::uint64_t sequence) const { return table_.data() + (7 * sequence) % 251; }

 private:
  std::vector<std::byte> table_;
};

}  // namespace example
