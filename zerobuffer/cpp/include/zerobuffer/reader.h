// The reader side: owns (creates and removes) a named buffer and consumes its frames.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "zerobuffer/config.h"
#include "zerobuffer/frame.h"

namespace zerobuffer {

/// Creates the buffer NAME (shared memory, two semaphores, lock file) and reads frames from it.
/// Move-only; the destructor closes. Not thread-safe: use one Reader (and its Frames) from one thread.
class Reader {
 public:
  /// Creates the buffer. Throws InvalidNameException, ReaderAlreadyConnectedException,
  /// InvalidFrameSizeException (payload size 0 or sizes that overflow), InternalException
  /// (e.g. not enough space in /dev/shm). Nothing is left behind when it throws.
  Reader(std::string_view name, const BufferConfig& config = {});
  ~Reader();
  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Waits up to `timeout` for the next frame. Returns an empty Frame on timeout.
  /// `std::chrono::milliseconds::max()` (or any timeout too large for the clock) waits forever.
  /// Throws WriterDeadException, SequenceErrorException (the frame is consumed: the next call
  /// returns the frame after it), CorruptBufferException.
  Frame read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Returns the next frame if one is ready now, else an empty Frame.
  Frame try_read_frame();

  /// The metadata the writer stored (without its length prefix), zero-copy; empty if none yet.
  /// Throws CorruptBufferException when the stored length is impossible.
  std::span<const std::byte> get_metadata() const;

  /// True when a writer PID is set and that process is alive.
  bool is_writer_connected() const;

  std::uint64_t frames_read() const noexcept;
  std::uint64_t bytes_read() const noexcept;
  const std::string& name() const noexcept;
  std::uint64_t metadata_size() const noexcept;  ///< after rounding
  std::uint64_t payload_size() const noexcept;   ///< after rounding
  std::uint32_t mode() const noexcept;

  /// Marks the reader gone and removes every named object; idempotent. Frames still held stay
  /// readable until they are destroyed.
  void close() noexcept;
  bool is_open() const noexcept;

 private:
  // Owned; destroyed here, or by the last held Frame when frames outlive the Reader.
  detail::ReaderState* state_ = nullptr;
};

}  // namespace zerobuffer
