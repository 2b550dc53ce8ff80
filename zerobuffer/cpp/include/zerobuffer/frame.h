// A frame handed out by Reader: a zero-copy view of the ring that releases its space on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
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
  Frame(Frame&& other) noexcept
      : state_(other.state_), data_(other.data_), size_(other.size_), sequence_(other.sequence_), slot_(other.slot_) {
    other.state_ = nullptr;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  Frame& operator=(Frame&& other) noexcept {
    if (this != &other) {
      release();
      state_ = other.state_;
      data_ = other.data_;
      size_ = other.size_;
      sequence_ = other.sequence_;
      slot_ = other.slot_;
      other.state_ = nullptr;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
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
  void release() noexcept {
    if (state_ != nullptr) release_held();
  }

 private:
  friend class Reader;
  friend class detail::ReaderState;
  Frame(detail::ReaderState* state, const std::byte* data, std::size_t size, std::uint64_t sequence,
        std::uint64_t slot) noexcept
      : state_(state), data_(data), size_(size), sequence_(sequence), slot_(slot) {}
  void release_held() noexcept;

  // The reader's state, kept alive (with the mapping) while any of its frames is held: the
  // reader counts its held frames (one thread, so a plain counter, no reference-count atomics).
  detail::ReaderState* state_ = nullptr;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t slot_ = 0;
};

}  // namespace zerobuffer
