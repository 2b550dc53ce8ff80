// The Operation Info Exchange Block: the 128-byte header at offset 0 of every buffer.
// This header is the one place that names its layout; see docs/protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zerobuffer {

inline constexpr std::uint32_t kOiebSize = 128;
inline constexpr std::uint8_t kVersionMajor = 1;
inline constexpr std::uint8_t kVersionMinor = 0;
inline constexpr std::uint8_t kVersionPatch = 0;
static_assert(kVersionMajor < 10 && kVersionMinor < 10 && kVersionPatch < 10, "kProtocolVersion spells one digit each");
/// The wire protocol version as text, "major.minor.patch" (what serves report as wireVersion).
inline constexpr char kProtocolVersion[] = {char('0' + kVersionMajor), '.', char('0' + kVersionMinor), '.',
                                            char('0' + kVersionPatch), '\0'};
/// Size of a frame header (u64 payload size, u64 sequence) and of a wrap marker.
inline constexpr std::uint64_t kFrameHeaderSize = 16;
/// Size of the metadata length prefix.
inline constexpr std::uint64_t kMetadataPrefixSize = 8;
/// Metadata and payload blocks are rounded up to this.
inline constexpr std::uint64_t kBlockAlignment = 64;

/// Plain little-endian layout of the OIEB. In shared memory, `payload_free_bytes` is only
/// touched through atomic operations and `writer_pid` through compare-and-swap.
struct Oieb {
  std::uint32_t oieb_size;
  std::uint8_t version[4];  // major, minor, patch, reserved
  std::uint64_t metadata_size;
  std::uint64_t metadata_free_bytes;
  std::uint64_t metadata_written_bytes;
  std::uint64_t payload_size;
  std::uint64_t payload_free_bytes;
  std::uint64_t payload_write_pos;
  std::uint64_t payload_read_pos;
  std::uint64_t payload_written_count;
  std::uint64_t payload_read_count;
  std::uint64_t writer_pid;
  std::uint64_t reader_pid;
  std::uint64_t reserved[4];
};

static_assert(sizeof(Oieb) == kOiebSize);
static_assert(alignof(Oieb) == 8);
static_assert(offsetof(Oieb, oieb_size) == 0x00);
static_assert(offsetof(Oieb, version) == 0x04);
static_assert(offsetof(Oieb, metadata_size) == 0x08);
static_assert(offsetof(Oieb, metadata_free_bytes) == 0x10);
static_assert(offsetof(Oieb, metadata_written_bytes) == 0x18);
static_assert(offsetof(Oieb, payload_size) == 0x20);
static_assert(offsetof(Oieb, payload_free_bytes) == 0x28);
static_assert(offsetof(Oieb, payload_write_pos) == 0x30);
static_assert(offsetof(Oieb, payload_read_pos) == 0x38);
static_assert(offsetof(Oieb, payload_written_count) == 0x40);
static_assert(offsetof(Oieb, payload_read_count) == 0x48);
static_assert(offsetof(Oieb, writer_pid) == 0x50);
static_assert(offsetof(Oieb, reader_pid) == 0x58);
static_assert(offsetof(Oieb, reserved) == 0x60);

/// Rounds a requested block size up to the 64-byte block alignment; false on overflow.
constexpr bool round_block_size(std::uint64_t requested, std::uint64_t& rounded) noexcept {
  if (requested > UINT64_MAX - (kBlockAlignment - 1)) return false;
  rounded = (requested + kBlockAlignment - 1) & ~(kBlockAlignment - 1);
  return true;
}

}  // namespace zerobuffer
