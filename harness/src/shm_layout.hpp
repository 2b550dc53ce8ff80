// The harness's own copy of the protocol 1.0 layout facts (docs/protocol.md). It is written
// independently of the C++ library on purpose: a layout bug there cannot hide from checks made
// with this table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zbh {

struct OiebField {
  std::string_view name;  // camelCase, as scenarios spell it
  std::size_t offset;
  std::size_t width;  // bytes, little-endian unsigned
};

inline constexpr std::size_t kOiebSize = 128;
inline constexpr std::size_t kFrameHeaderSize = 16;

inline constexpr OiebField kOiebFields[] = {
    {"oiebSize", 0x00, 4},
    {"versionMajor", 0x04, 1},
    {"versionMinor", 0x05, 1},
    {"versionPatch", 0x06, 1},
    {"versionReserved", 0x07, 1},
    {"metadataSize", 0x08, 8},
    {"metadataFreeBytes", 0x10, 8},
    {"metadataWrittenBytes", 0x18, 8},
    {"payloadSize", 0x20, 8},
    {"payloadFreeBytes", 0x28, 8},
    {"payloadWritePos", 0x30, 8},
    {"payloadReadPos", 0x38, 8},
    {"payloadWrittenCount", 0x40, 8},
    {"payloadReadCount", 0x48, 8},
    {"writerPid", 0x50, 8},
    {"readerPid", 0x58, 8},
    {"reserved0", 0x60, 8},
    {"reserved1", 0x68, 8},
    {"reserved2", 0x70, 8},
    {"reserved3", 0x78, 8},
};

inline std::optional<OiebField> find_oieb_field(std::string_view name) {
  for (const auto& field : kOiebFields) {
    if (field.name == name) return field;
  }
  return std::nullopt;
}

// Paths of the four objects that make up a buffer called `name`.
struct BufferPaths {
  std::string shm;    // /dev/shm/NAME
  std::string sem_w;  // /dev/shm/sem.sem-w-NAME
  std::string sem_r;  // /dev/shm/sem.sem-r-NAME
  std::string lock;   // LOCKDIR/NAME.lock
  std::string writer_lock;  // LOCKDIR/NAME.writer-lock (live.writer-lock)

  static BufferPaths of(const std::string& name, const std::string& lock_dir) {
    return {"/dev/shm/" + name, "/dev/shm/sem.sem-w-" + name, "/dev/shm/sem.sem-r-" + name,
            lock_dir + "/" + name + ".lock", lock_dir + "/" + name + ".writer-lock"};
  }
  std::vector<std::pair<std::string, std::string>> labelled() const {
    return {{"shm", shm}, {"semW", sem_w}, {"semR", sem_r}, {"lock", lock}, {"writerLock", writer_lock}};
  }
};

// A location such as "payload+616", "meta+0", "oieb+0x04", "frame+8" or "40" (absolute).
struct Location {
  enum class Base { absolute, oieb, meta, payload, frame };
  Base base = Base::absolute;
  std::uint64_t offset = 0;
};

// Parses a location; nullopt when the text is not one.
std::optional<Location> parse_location(const std::string& text);

// Parses "0a 00 ff" / "0a00ff" (spaces ignored); nullopt on odd length or a non-hex digit.
std::optional<std::vector<std::uint8_t>> parse_hex(const std::string& text);
std::string to_hex(const std::uint8_t* data, std::size_t size);

// The payload pattern of the serve protocol: byte[i] = (i + 7*sequence + seed) mod 251.
inline std::uint8_t pattern_byte(std::uint64_t i, std::uint64_t sequence, std::uint64_t seed) {
  return static_cast<std::uint8_t>((i + 7 * sequence + seed) % 251);
}

}  // namespace zbh
