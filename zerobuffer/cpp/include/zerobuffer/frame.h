// A frame handed out by Reader: a zero-copy view of the ring that releases its space on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace zerobuffer {

namespace detail {
class ReaderState;
}

/// Move-only handle of one frame. While it lives, the writer cannot overwrite its bytes.
/// Destroying it (or calling release()) returns the space to the writer. Frames of one reader
/// must be used from the reader's thread; they may be released in any order (space is handed
/// back to the writer in ring order, once every earlier frame is released too).
class Frame {
 public:
  Frame() noexcept = default;
  ~Frame() { release(); }
  Frame(Frame&& other) noexcept;
  Frame& operator=(Frame&& other) noexcept;
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;

  /// False for the empty frame read_frame returns on timeout.
  bool valid() const noexcept { return state_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }

  /// The frame's bytes, straight from shared memory.
  std::span<const std::byte> data() const noexcept { return {data_, size_}; }
  std::size_t size() const noexcept { return size_; }
  std::uint64_t sequence() const noexcept { return sequence_; }

  /// Returns the frame's space to the writer now; idempotent.
  void release() noexcept;

 private:
  friend class Reader;
  friend class detail::ReaderState;
  Frame(std::shared_ptr<detail::ReaderState> state, const std::byte* data, std::size_t size, std::uint64_t sequence,
        std::uint64_t slot) noexcept
      : state_(std::move(state)), data_(data), size_(size), sequence_(sequence), slot_(slot) {}

  std::shared_ptr<detail::ReaderState> state_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t slot_ = 0;
};

}  // namespace zerobuffer
