// The two roles a serve can hold. Each wraps one library object and implements the methods
// that only make sense for it; the Session decides which role (if any) receives a call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "zerobuffer/zerobuffer.h"

#include "params.h"
#include "rpc.h"

namespace zbserve {

/// The parameters of each role method, parsed (and shape-checked, -32602) before any role
/// check, so that a malformed request fails the same way in every state.
struct ReadRequest {
  std::uint64_t count = 1;
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds delay{0};
  bool hold = false;
  bool until_writer_gone = false;
  static ReadRequest from(const Params& params);
};

struct MetadataWrite {
  std::optional<std::string> text;  // else `size` bytes of pattern
  std::uint64_t size = 0;
  std::uint8_t seed = 0;
  static MetadataWrite from(const Params& params);
};

struct WriteRequest {
  std::optional<std::string> text;   // one text frame, or
  std::vector<std::uint64_t> sizes;  // pattern frames of these sizes, cycled
  std::uint64_t count = 1;
  std::uint8_t seed = 0;
  bool zero_copy = false;
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds timeout{5000};
  static WriteRequest from(const Params& params);
};

/// Sleeps `duration` in slices, returning early (false) when `stop` is raised.
bool interruptible_sleep(std::chrono::milliseconds duration, const std::atomic<bool>& stop);

/// Milliseconds since `start`, with fraction.
double elapsed_ms(std::chrono::steady_clock::time_point start);

class ReaderRole {
 public:
  /// Creates the buffer; library exceptions propagate.
  ReaderRole(const std::string& name, const zerobuffer::BufferConfig& config);

  /// The createReader result: sizes after rounding, mode applied, pid.
  Json created() const;
  Json get_metadata() const;
  Json read_frames(const ReadRequest& request, const std::atomic<bool>& stop);
  /// Releases up to `count` held frames (all when nullopt), oldest first; returns how many.
  std::uint64_t release(std::optional<std::uint64_t> count) noexcept;
  void add_status(Json& status) const;
  std::size_t held() const noexcept { return held_.size(); }
  const std::string& name() const noexcept { return reader_.name(); }
  /// Releases held frames and removes the buffer.
  void close() noexcept;

 private:
  zerobuffer::Reader reader_;
  std::deque<zerobuffer::Frame> held_;
};

class WriterRole {
 public:
  /// Connects, letting the library wait up to `budget` for a live reader; library exceptions propagate.
  WriterRole(const std::string& name, std::chrono::milliseconds budget);

  Json set_metadata(const MetadataWrite& request);
  Json write_frames(const WriteRequest& request, const std::atomic<bool>& stop);
  void add_status(Json& status) const;
  const std::string& name() const noexcept { return writer_.name(); }
  void close() noexcept { writer_.close(); }

 private:
  std::uint64_t write_pattern_frame(std::size_t size, std::uint8_t seed, bool zero_copy);
  std::uint64_t write_bytes(std::span<const std::byte> data, bool zero_copy);

  zerobuffer::Writer writer_;
  std::vector<std::byte> scratch_;  // source of copied pattern frames, reused
};

}  // namespace zbserve
