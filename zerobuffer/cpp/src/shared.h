// Helpers shared by the reader and the writer: atomic access to OIEB fields, unaligned frame
// headers, names and errors.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "zerobuffer/error.h"
#include "zerobuffer/oieb.h"

namespace zerobuffer::detail {

/// Every OIEB field in shared memory is accessed atomically: the peer may read or write it at
/// any time, and only atomic access is free of data races.
inline std::uint64_t load(const std::uint64_t& field, std::memory_order order = std::memory_order_acquire) noexcept {
  return std::atomic_ref<const std::uint64_t>(field).load(order);
}
inline void store(std::uint64_t& field, std::uint64_t value,
                  std::memory_order order = std::memory_order_release) noexcept {
  std::atomic_ref<std::uint64_t>(field).store(value, order);
}
inline void add(std::uint64_t& field, std::uint64_t value) noexcept {
  std::atomic_ref<std::uint64_t>(field).fetch_add(value, std::memory_order_acq_rel);
}
inline void sub(std::uint64_t& field, std::uint64_t value) noexcept {
  std::atomic_ref<std::uint64_t>(field).fetch_sub(value, std::memory_order_acq_rel);
}

struct FrameHeader {
  std::uint64_t payload_size;
  std::uint64_t sequence;
};
static_assert(sizeof(FrameHeader) == kFrameHeaderSize);

/// Frame headers sit at arbitrary offsets: copy, never dereference in place.
inline FrameHeader read_header(const std::byte* at) noexcept {
  FrameHeader h{};
  std::memcpy(&h, at, sizeof h);
  return h;
}
inline void write_header(std::byte* at, const FrameHeader& h) noexcept { std::memcpy(at, &h, sizeof h); }

/// Throws InvalidNameException unless `name` follows the naming rule.
void require_valid_name(std::string_view name);

/// Throws InvalidStateException: a `what` ("reader"/"writer") inherited through fork() is used
/// in the child; it belongs to process `owner`.
[[noreturn]] void throw_not_owned(std::string_view what, std::uint64_t owner);

}  // namespace zerobuffer::detail
