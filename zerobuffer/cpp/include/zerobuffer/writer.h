// The writer side: connects to a buffer a reader created and publishes frames into it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "zerobuffer/config.h"
#include "zerobuffer/error.h"

namespace zerobuffer {

namespace detail {
class WriterState;
}

/// True for the connect failures a reader that is not (yet) there explains, which a writer
/// waiting for its reader retries: BufferNotFound and ReaderDead (docs/protocol.md §5).
bool is_connect_retryable(ErrorCode code) noexcept;

/// Connects to the buffer NAME. Move-only; the destructor closes. Not thread-safe.
class Writer {
 public:
  /// Throws InvalidNameException, BufferNotFoundException, IncompatibleVersionException,
  /// CorruptBufferException, ReaderDeadException, WriterAlreadyConnectedException. With
  /// options.connect_timeout > 0 it first retries the is_connect_retryable() ones that long.
  explicit Writer(std::string_view name, const WriterOptions& options = {});
  ~Writer();
  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// Stores the write-once metadata. Throws MetadataAlreadyWrittenException, MetadataTooLargeException,
  /// then ReaderDeadException (reader closed or dead), in that order.
  void set_metadata(std::span<const std::byte> data);
  /// Zero-copy metadata, part 1: checks a write of `size` bytes like set_metadata and returns the
  /// metadata block's bytes for the caller to fill. Part 2 is commit_metadata().
  std::span<std::byte> get_metadata_buffer(std::size_t size);
  /// Publishes the metadata reserved by get_metadata_buffer.
  void commit_metadata();

  /// Copies one frame into the ring and publishes it; returns its sequence number.
  /// Throws InvalidFrameSizeException, FrameTooLargeException, BufferFullException (after the
  /// write timeout), ReaderDeadException.
  std::uint64_t write_frame(std::span<const std::byte> data);
  /// Like write_frame, but returns 0 instead of waiting when there is no space now.
  std::uint64_t try_write_frame(std::span<const std::byte> data);

  /// Zero-copy write, part 1: reserves `size` bytes in the ring (waiting like write_frame) and
  /// returns them for the caller to fill. Part 2 is commit_frame().
  std::span<std::byte> get_frame_buffer(std::size_t size);
  /// Publishes the frame reserved by get_frame_buffer; returns its sequence number.
  std::uint64_t commit_frame();

  /// True when the reader PID is set and that process is alive.
  bool is_reader_connected() const;

  void set_write_timeout(std::chrono::milliseconds timeout) noexcept;
  std::chrono::milliseconds write_timeout() const noexcept;

  std::uint64_t frames_written() const noexcept;
  /// Sequence number the next frame of this session will carry (1 for the first).
  std::uint64_t next_sequence() const noexcept;
  /// Block sizes of the connected buffer, as its header states them.
  std::uint64_t metadata_size() const noexcept;
  std::uint64_t payload_size() const noexcept;
  std::uint64_t bytes_written() const noexcept;
  const std::string& name() const noexcept;

  /// Gives up the writer slot (clears writer_pid if it is still ours) and unmaps; idempotent.
  void close() noexcept;
  bool is_open() const noexcept;

 private:
  std::unique_ptr<detail::WriterState> state_;
};

}  // namespace zerobuffer
