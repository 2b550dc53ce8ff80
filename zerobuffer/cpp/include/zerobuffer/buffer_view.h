// A read-only look at a buffer from outside: its OIEB and bytes, without joining it as reader
// or writer. For monitoring tools (the `zerobuffer` command line); applications use Reader/Writer.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zerobuffer/oieb.h"

namespace zerobuffer {

/// What a header says about the object it sits in.
enum class HeaderState : std::uint8_t {
  Ok,             ///< every field is possible
  Uninitialised,  ///< oieb_size is still 0: a reader is creating the buffer right now
  Foreign,        ///< smaller than an OIEB, or neither an OIEB nor a buffer's semaphores: not a ZeroBuffer object
  Incompatible,   ///< an OIEB of another protocol version (IncompatibleVersion)
  Corrupt,        ///< an OIEB with impossible values (Corrupt)
};

/// "ok", "uninitialised", "foreign", "incompatible" or "corrupt".
std::string_view to_string(HeaderState state) noexcept;

/// The verdict on a header and, for anything but Ok, one sentence per impossible value.
struct HeaderCheck {
  HeaderState state = HeaderState::Ok;
  std::vector<std::string> problems;
};

/// Checks the fields of `oieb` against each other and against the size of the object holding
/// it, with the limits docs/protocol.md states. `has_semaphores` tells a damaged buffer
/// (its semaphores exist) from somebody else's object. Never reads beyond `oieb`.
HeaderCheck check_header(const Oieb& oieb, std::uint64_t object_size, bool has_semaphores);

/// A read-only mapping of the shared memory of buffer NAME. Claims no PID, writes nothing,
/// takes no lock. Every value read through it may be changing and may be hostile: check
/// before trusting it (check_header). Move-only.
class BufferView {
 public:
  /// Maps the buffer. Throws InvalidNameException, BufferNotFoundException (no such shared
  /// memory), InternalException (e.g. no permission to read it).
  explicit BufferView(std::string_view name);
  ~BufferView();
  BufferView(BufferView&&) noexcept;
  BufferView& operator=(BufferView&&) noexcept;
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;

  const std::string& name() const noexcept { return name_; }
  /// Size of the shared memory object when it was mapped.
  std::uint64_t object_size() const noexcept { return size_; }
  /// A copy of the OIEB, each field loaded atomically; all zero when the object is smaller
  /// than an OIEB.
  Oieb oieb() const noexcept;
  /// Every byte of the object, read-only.
  std::span<const std::byte> bytes() const noexcept { return {data_, static_cast<std::size_t>(size_)}; }
  /// True when both of the buffer's semaphores exist now.
  bool has_semaphores() const noexcept;
  /// check_header of the current OIEB.
  HeaderCheck check() const;

 private:
  std::string name_;
  const std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace zerobuffer
