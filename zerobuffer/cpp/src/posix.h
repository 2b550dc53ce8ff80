// Thin RAII wrappers over the POSIX calls ZeroBuffer needs. The only file set that includes
// OS headers; everything above it speaks in these types.
#pragma once

#include <semaphore.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zerobuffer::detail {

using Clock = std::chrono::steady_clock;

/// Throws InternalException describing `what` and the current errno.
[[noreturn]] void throw_os_error(std::string_view what);

/// An owned file descriptor.
class Fd {
 public:
  Fd() noexcept = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// A shared, pre-faulted read-write mapping of a whole file descriptor.
class Mapping {
 public:
  Mapping() noexcept = default;
  Mapping(int fd, std::size_t size);
  ~Mapping() { reset(); }
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  void reset() noexcept;

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A named POSIX semaphore handle (closed on destruction, never unlinked implicitly).
class Semaphore {
 public:
  Semaphore() noexcept = default;
  ~Semaphore() { reset(); }
  Semaphore(Semaphore&& other) noexcept;
  Semaphore& operator=(Semaphore&& other) noexcept;
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  /// Creates a new semaphore with value 0 and exactly `mode` (O_EXCL: fails if it exists).
  static Semaphore create(const std::string& os_name, std::uint32_t mode);
  /// Opens an existing semaphore; returns an invalid handle if it does not exist.
  static Semaphore open_existing(const std::string& os_name);
  static void unlink(const std::string& os_name) noexcept;

  bool valid() const noexcept { return sem_ != nullptr; }
  /// Inline: once per frame on both sides. glibc makes no system call unless a waiter sleeps.
  void post() {
    if (::sem_post(sem_) != 0) throw_os_error("sem_post failed");
  }
  /// Non-blocking decrement; true if the count was positive. Inline: the spin loops call it.
  bool try_wait() noexcept {
    while (::sem_trywait(sem_) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
  }
  /// Blocks until posted or `deadline`; true if posted.
  bool wait_until(Clock::time_point deadline);
  void reset() noexcept;

 private:
  explicit Semaphore(sem_t* sem) noexcept : sem_(sem) {}
  sem_t* sem_ = nullptr;
};

/// The PID cache behind current_pid(): 0 until first use, refreshed in every child after fork().
extern std::atomic<std::uint64_t> g_current_pid;
/// Fills the cache (and registers its fork handler) on first use.
std::uint64_t current_pid_first_use() noexcept;
/// The calling process's PID (cached; the cache is refreshed in the child after fork()).
/// Inline: the read and write paths compare it with their owner once per frame.
inline std::uint64_t current_pid() noexcept {
  const std::uint64_t pid = g_current_pid.load(std::memory_order_relaxed);
  return pid != 0 ? pid : current_pid_first_use();
}
/// kill(pid, 0) succeeds or fails with EPERM. PID 0 (and PIDs beyond pid_t) are never alive.
bool pid_alive(std::uint64_t pid) noexcept;
/// Whether the reader or writer `pid` of a buffer lives (docs/protocol.md §6, live.lock-beats-pid):
/// when `lock_path` is a regular file holding `pid`, its flock decides (held: alive, free: dead);
/// otherwise pid_alive(pid). The test lock is taken through our own open file description and
/// released at once, so it never takes the lock from its owner.
bool peer_alive(const std::string& lock_path, std::uint64_t pid) noexcept;
/// unlink(path), errors ignored.
void unlink_quiet(const std::string& path) noexcept;
/// Removes the lock file at `path` when nobody holds it and it is still the file at the path.
void remove_free_lock(const std::string& path) noexcept;

/// The lock directory ($ZEROBUFFER_LOCK_DIR or /tmp/zerobuffer), created with mode 1777 if missing.
std::string lock_directory();
/// The lock directory's path, without creating it (a writer uses it only where a reader made it).
std::string lock_directory_path();

/// OS names of a buffer's objects.
inline std::string shm_os_name(std::string_view name) { return "/" + std::string(name); }
inline std::string sem_w_os_name(std::string_view name) { return "/sem-w-" + std::string(name); }
inline std::string sem_r_os_name(std::string_view name) { return "/sem-r-" + std::string(name); }
/// A buffer's lock files in `lock_dir`: the reader's, and the writer's (live.writer-lock). The
/// writer's cannot be any buffer's reader lock: those all end in ".lock".
inline std::string reader_lock_path(const std::string& lock_dir, std::string_view name) {
  return lock_dir + "/" + std::string(name) + ".lock";
}
inline std::string writer_lock_path(const std::string& lock_dir, std::string_view name) {
  return lock_dir + "/" + std::string(name) + ".writer-lock";
}

/// Opens an existing shared memory object; invalid Fd if it does not exist.
Fd shm_open_existing(const std::string& os_name, bool writable);
/// Creates a new shared memory object of `size` bytes with exactly `mode`, with its space
/// reserved (so a full /dev/shm fails here, not with SIGBUS later).
Fd shm_create(const std::string& os_name, std::size_t size, std::uint32_t mode);
void shm_unlink_quiet(const std::string& os_name) noexcept;
/// Size of the object behind `fd`.
std::size_t fd_size(int fd);
/// Permission bits of the object behind `fd`.
std::uint32_t fd_mode(int fd);

/// An exclusively flock'ed lock file holding its owner's PID; unlocking and unlinking are explicit.
class LockFile {
 public:
  LockFile() noexcept = default;
  /// Creates/opens `path`, takes LOCK_EX|LOCK_NB and writes our PID into it (live.lock-pid);
  /// returns false if another process holds it.
  bool acquire(const std::string& path, std::uint32_t mode);
  /// Unlinks the file (while still holding the lock, and only if it is still the file at the
  /// path) and closes it.
  void remove() noexcept;
  /// Closes our descriptor only. The lock stays held while another process (the parent we were
  /// forked from) still has the open file description.
  void close() noexcept;
  bool held() const noexcept { return fd_.valid(); }

 private:
  Fd fd_;
  std::string path_;
};

/// True when the named semaphore exists (whether or not this process may open it).
bool semaphore_exists(const std::string& os_name) noexcept;

/// Names of the shared memory objects in /dev/shm that are valid buffer names (semaphores excluded).
std::vector<std::string> shared_memory_names();

/// One stale buffer found by remove_stale_buffers.
struct StaleEntry {
  std::string name;
  bool objects_removed;  ///< shared memory and semaphores were (or, in a dry run, would be) removed
};

/// Removes stale buffers: lock files nobody holds, and the objects of their buffers when no
/// live process uses them. With `dry_run`, removes nothing and reports what it would remove.
/// Errors are ignored (best effort, other processes may race us).
std::vector<StaleEntry> remove_stale_buffers(const std::string& lock_dir, bool dry_run = false) noexcept;

}  // namespace zerobuffer::detail
