// Configuration of readers and writers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace zerobuffer {

/// How a reader creates its buffer. Sizes are rounded up to multiples of 64 bytes.
struct BufferConfig {
  /// Bytes reserved for the write-once metadata (including its 8-byte length prefix). 0 allowed.
  std::size_t metadata_size = 1024;
  /// Bytes of the payload ring. Must be > 0. Frames of up to payload_size / 2 - 16 bytes always fit.
  std::size_t payload_size = 1024 * 1024;
  /// Permission bits of the shared memory, semaphores and lock file, applied exactly (umask ignored).
  std::uint32_t mode = 0600;
  /// The longest read_frame spins on the data semaphore before blocking (0 = block at once).
  /// The budget adapts: it halves after spins that run out and is full again after one that
  /// gets its post (benchmarks/doc/tuning.md, "Adaptive spinning").
  std::chrono::nanoseconds spin = std::chrono::microseconds(20);
};

/// How a writer waits.
struct WriterOptions {
  /// Longest a write waits for space before BufferFullException; `milliseconds::max()` waits forever.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(5);
  /// The longest a write spins on the space semaphore before blocking (0 = block at once);
  /// adaptive like BufferConfig::spin.
  std::chrono::nanoseconds spin = std::chrono::microseconds(20);
  /// How long the Writer constructor waits for a live reader: it retries every 10 ms while the
  /// connect fails with an error is_connect_retryable() accepts (0 = one attempt).
  std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(0);
};

}  // namespace zerobuffer
