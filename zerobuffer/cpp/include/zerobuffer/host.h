// The buffers of this host as a whole: which exist, whose processes live, and stale cleanup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zerobuffer {

/// True when the process lives by the rule of docs/protocol.md §6: kill(pid, 0) succeeds or
/// fails with EPERM, and it is not a zombie. PID 0 is never alive.
bool is_process_alive(std::uint64_t pid) noexcept;

/// True when the reader (or writer) `pid` of buffer `name` lives by docs/protocol.md §6: its
/// lock file in the lock directory decides when it names that PID (live.lock-beats-pid), else
/// is_process_alive(pid). The readers and writers of this library judge their peers this way.
bool is_reader_alive(std::string_view name, std::uint64_t pid) noexcept;
bool is_writer_alive(std::string_view name, std::uint64_t pid) noexcept;

/// The lock directory: $ZEROBUFFER_LOCK_DIR or /tmp/zerobuffer (created, mode 1777, if missing).
/// Throws InternalException when it cannot be created.
std::string lock_directory();

/// Names of the shared memory objects of this host that could be buffers (valid buffer names;
/// semaphores excluded), sorted. Whether each is one: BufferView::check(). Throws InternalException.
std::vector<std::string> list_shared_memory();

/// A buffer found stale by remove_stale_buffers.
struct StaleBuffer {
  std::string name;
  /// The shared memory and both semaphores went too (neither PID alive). When false, only the
  /// lock file went: a writer of the buffer still lives and keeps the objects.
  bool objects_removed = false;
};

/// The stale cleanup every Reader runs before it creates its buffer (docs/protocol.md §5
/// "Reader create", step 2), on the lock directory: a lock file nobody holds is stale and is
/// removed, with the buffer's objects when no process of it lives. Never touches a buffer
/// whose reader holds its lock. With `dry_run`, removes nothing and reports what it would.
std::vector<StaleBuffer> remove_stale_buffers(bool dry_run = false);

}  // namespace zerobuffer
