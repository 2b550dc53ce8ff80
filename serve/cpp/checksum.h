// The frame checksum of the serve protocol (docs/serve-protocol.md, "Checksums"): the first
// 8 bytes of the SHA-256 digest (FIPS 180-4) of the bytes, as 16 lowercase hex digits. Serves
// report it for every frame they read; the harness computes the expected value itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace zbchecksum {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256() noexcept;
  void update(std::span<const std::byte> data) noexcept;
  std::array<std::uint8_t, 32> finish() noexcept;

 private:
  void compress(const std::uint8_t* block) noexcept;

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> pending_{};
  std::size_t pending_size_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// The serve protocol's checksum of `data`: 16 lowercase hex digits.
std::string checksum(std::span<const std::byte> data);

/// The checksum text of a finished digest (its first 8 bytes as 16 lowercase hex digits).
std::string checksum_text(const std::array<std::uint8_t, 32>& digest);

}  // namespace zbchecksum
