#include "posix.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>

#include "zerobuffer/error.h"
#include "zerobuffer/oieb.h"
#include "zerobuffer/zerobuffer.h"

namespace zerobuffer::detail {

void throw_os_error(std::string_view what) {
  const int err = errno;
  throw InternalException(std::string(what) + ": " + std::strerror(err));
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int Fd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Mapping::Mapping(int fd, std::size_t size) : size_(size) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) throw_os_error("mmap of " + std::to_string(size) + " bytes failed");
  data_ = static_cast<std::byte*>(p);
}

Mapping::Mapping(Mapping&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void Mapping::reset() noexcept {
  if (data_ != nullptr) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

Semaphore::Semaphore(Semaphore&& other) noexcept : sem_(other.sem_) { other.sem_ = nullptr; }

Semaphore& Semaphore::operator=(Semaphore&& other) noexcept {
  if (this != &other) {
    reset();
    sem_ = other.sem_;
    other.sem_ = nullptr;
  }
  return *this;
}

Semaphore Semaphore::create(const std::string& os_name, std::uint32_t mode) {
  sem_t* sem = ::sem_open(os_name.c_str(), O_CREAT | O_EXCL | O_RDWR, static_cast<mode_t>(mode), 0U);
  if (sem == SEM_FAILED) throw_os_error("sem_open(" + os_name + ", O_CREAT|O_EXCL) failed");
  Semaphore result(sem);
  // sem_open honours the umask; glibc keeps named semaphores as /dev/shm/sem.NAME, so the
  // exact mode is applied there.
  const std::string path = "/dev/shm/sem." + os_name.substr(1);
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    result.reset();
    ::sem_unlink(os_name.c_str());
    errno = err;
    throw_os_error("chmod of semaphore " + path + " failed");
  }
  return result;
}

Semaphore Semaphore::open_existing(const std::string& os_name) {
  sem_t* sem = ::sem_open(os_name.c_str(), O_RDWR);
  if (sem == SEM_FAILED) {
    if (errno == ENOENT) return {};
    throw_os_error("sem_open(" + os_name + ") failed");
  }
  return Semaphore(sem);
}

void Semaphore::unlink(const std::string& os_name) noexcept { ::sem_unlink(os_name.c_str()); }

bool Semaphore::wait_until(Clock::time_point deadline) {
  static_assert(std::is_same_v<Clock, std::chrono::steady_clock>, "sem_clockwait uses CLOCK_MONOTONIC");
  const auto since_epoch = deadline.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count());
  while (true) {
    if (::sem_clockwait(sem_, CLOCK_MONOTONIC, &ts) == 0) return true;
    if (errno == ETIMEDOUT) return false;
    if (errno != EINTR) throw_os_error("sem_clockwait failed");
  }
}

void Semaphore::reset() noexcept {
  if (sem_ != nullptr) ::sem_close(sem_);
  sem_ = nullptr;
}

// getpid() is a system call; the read and write paths ask for the PID once per frame. The
// cache is refreshed in every child that fork() creates (pthread_atfork).
std::atomic<std::uint64_t> g_current_pid{0};

namespace {
void refresh_pid() noexcept {
  g_current_pid.store(static_cast<std::uint64_t>(::getpid()), std::memory_order_relaxed);
}
}  // namespace

std::uint64_t current_pid_first_use() noexcept {
  static const bool registered = [] {
    refresh_pid();
    return ::pthread_atfork(nullptr, nullptr, refresh_pid) == 0;
  }();
  if (!registered) {
    // Without a fork handler the cache could go stale in a child: never use it.
    g_current_pid.store(0, std::memory_order_relaxed);
    return static_cast<std::uint64_t>(::getpid());
  }
  return g_current_pid.load(std::memory_order_relaxed);
}

namespace {

// A killed process stays a zombie until its parent reaps it; kill(pid, 0) still succeeds then.
bool is_zombie(std::uint64_t pid) noexcept {
  char path[48];
  std::snprintf(path, sizeof path, "/proc/%llu/stat", static_cast<unsigned long long>(pid));
  Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char buf[512];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* paren = std::strrchr(buf, ')');  // the command name may itself contain ')'
  return paren != nullptr && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

}  // namespace

bool pid_alive(std::uint64_t pid) noexcept {
  if (pid == 0 || pid > static_cast<std::uint64_t>(INT_MAX)) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  return !is_zombie(pid);
}

std::string lock_directory_path() {
  const char* env = std::getenv("ZEROBUFFER_LOCK_DIR");
  return (env != nullptr && *env != '\0') ? env : "/tmp/zerobuffer";
}

std::string lock_directory() {
  std::string dir = lock_directory_path();
  if (::mkdir(dir.c_str(), 01777) == 0) {
    // mkdir honours the umask; the shared directory must be usable by every user.
    if (::chmod(dir.c_str(), 01777) != 0) throw_os_error("chmod of lock directory " + dir + " failed");
  } else if (errno != EEXIST) {
    throw_os_error("cannot create lock directory " + dir);
  }
  return dir;
}

Fd shm_open_existing(const std::string& os_name, bool writable) {
  const int fd = ::shm_open(os_name.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw_os_error("shm_open(" + os_name + ") failed");
  }
  return Fd(fd);
}

Fd shm_create(const std::string& os_name, std::size_t size, std::uint32_t mode) {
  Fd fd(::shm_open(os_name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, static_cast<mode_t>(mode)));
  if (!fd.valid()) throw_os_error("shm_open(" + os_name + ", O_CREAT|O_EXCL) failed");
  auto fail = [&](std::string_view what, int err) {
    fd.reset();
    ::shm_unlink(os_name.c_str());
    errno = err;
    throw_os_error(what);
  };
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("fchmod of shared memory failed", errno);
  if (size > static_cast<std::size_t>(std::numeric_limits<off_t>::max())) {
    fail("shared memory size is too large", EFBIG);
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) fail("ftruncate of shared memory failed", errno);
  // Reserve every page now: tmpfs allocates lazily, and a page that cannot be allocated on
  // first touch would kill the process with SIGBUS.
  if (const int err = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); err != 0) {
    if (err == ENOSPC) {
      fd.reset();
      ::shm_unlink(os_name.c_str());
      throw InternalException("not enough space in /dev/shm for a buffer of " + std::to_string(size) + " bytes");
    }
    fail("posix_fallocate of shared memory failed", err);
  }
  return fd;
}

void shm_unlink_quiet(const std::string& os_name) noexcept { ::shm_unlink(os_name.c_str()); }

std::size_t fd_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_os_error("fstat failed");
  return static_cast<std::size_t>(st.st_size);
}

std::uint32_t fd_mode(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_os_error("fstat failed");
  return static_cast<std::uint32_t>(st.st_mode & 07777);
}

namespace {

// True when `fd` is still the file at `path` (not unlinked or replaced since it was opened).
bool same_file(int fd, const std::string& path) noexcept {
  struct stat by_fd {};
  struct stat by_path {};
  return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_path) == 0 && by_fd.st_ino == by_path.st_ino &&
         by_fd.st_dev == by_path.st_dev;
}

}  // namespace

bool LockFile::acquire(const std::string& path, std::uint32_t mode) {
  // A stale-lock scan in another process holds a lock it found free only briefly before it
  // removes the file: wait that long before calling the lock taken. It may also unlink the file
  // between our open and flock; retry until the locked file is the one at `path`.
  constexpr auto kScanPatience = std::chrono::milliseconds(100);
  constexpr auto kPoll = std::chrono::milliseconds(2);
  const auto give_up = Clock::now() + kScanPatience;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, static_cast<mode_t>(mode)));
    if (!fd.valid()) throw_os_error("cannot open lock file " + path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) throw_os_error("flock of " + path + " failed");
      if (Clock::now() >= give_up) return false;
      std::this_thread::sleep_for(kPoll);
      continue;
    }
    struct stat by_fd {};
    if (::fstat(fd.get(), &by_fd) != 0) throw_os_error("fstat of lock file failed");
    if (!same_file(fd.get(), path)) continue;  // unlinked under us
    if (by_fd.st_uid == ::geteuid() && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
      throw_os_error("fchmod of lock file failed");
    }
    // Our PID, for peer_alive: the lock speaks for the PID in the OIEB only when it names it.
    const std::string pid = std::to_string(current_pid());
    if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      throw_os_error("cannot write the PID into lock file " + path);
    }
    fd_ = std::move(fd);
    path_ = path;
    return true;
  }
  throw InternalException("lock file " + path + " keeps disappearing");
}

void LockFile::remove() noexcept {
  if (!fd_.valid()) return;
  if (same_file(fd_.get(), path_)) ::unlink(path_.c_str());  // a new reader may have replaced it
  fd_.reset();
}

namespace {

// True when the lock file behind `fd` is a regular file whose content is exactly `pid` in decimal.
bool lock_names_pid(int fd, std::uint64_t pid) noexcept {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  char text[24];
  const ssize_t n = ::pread(fd, text, sizeof text, 0);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof text)) return false;
  std::uint64_t value = 0;
  for (ssize_t i = 0; i < n; ++i) {
    if (text[i] < '0' || text[i] > '9' || value > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return false;
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  return value == pid;
}

// A lock file for a test lock: never a symlink, never blocking on a FIFO planted at the path.
Fd open_lock_for_test(const std::string& path) noexcept {
  return Fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
}

}  // namespace

bool peer_alive(const std::string& lock_path, std::uint64_t pid) noexcept {
  if (pid == 0) return false;
  if (Fd fd = open_lock_for_test(lock_path); fd.valid() && lock_names_pid(fd.get(), pid)) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      ::flock(fd.get(), LOCK_UN);
      return false;
    }
    if (errno == EWOULDBLOCK) return true;
  }
  return pid_alive(pid);
}

void unlink_quiet(const std::string& path) noexcept { ::unlink(path.c_str()); }

void remove_free_lock(const std::string& path) noexcept {
  Fd fd = open_lock_for_test(path);
  if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return;
  if (same_file(fd.get(), path)) ::unlink(path.c_str());
}

void LockFile::close() noexcept { fd_.reset(); }

namespace {

// True when the buffer's shared memory is gone, or its OIEB is complete and neither PID in it
// is alive. An object without a complete OIEB may be a reader (of another lock directory)
// still creating it: it is kept, and the next reader of the name replaces it. `reader_lock` is
// the reader's lock file, which the scan holds (so it found it free).
bool buffer_unused(const std::string& lock_dir, const std::string& name, int reader_lock) {
  Fd fd = shm_open_existing(shm_os_name(name), false);
  if (!fd.valid()) return true;
  if (fd_size(fd.get()) < kOiebSize) return false;
  void* p = ::mmap(nullptr, kOiebSize, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return false;
  Oieb oieb{};
  std::memcpy(&oieb, p, sizeof oieb);
  ::munmap(p, kOiebSize);
  if (oieb.oieb_size == 0) return false;
  const bool reader_alive = !lock_names_pid(reader_lock, oieb.reader_pid) && pid_alive(oieb.reader_pid);
  return !reader_alive && !peer_alive(writer_lock_path(lock_dir, name), oieb.writer_pid);
}

}  // namespace

std::vector<StaleEntry> remove_stale_buffers(const std::string& lock_dir, bool dry_run) noexcept {
  std::vector<StaleEntry> found;
  DIR* dir = ::opendir(lock_dir.c_str());
  if (dir == nullptr) return found;
  constexpr std::string_view kSuffix = ".lock";
  constexpr std::string_view kWriterSuffix = ".writer-lock";
  try {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view file = entry->d_name;
      if (file.size() > kWriterSuffix.size() && file.ends_with(kWriterSuffix)) {
        // A writer that died after its reader closed: nobody else removes its lock.
        if (!dry_run && is_valid_name(file.substr(0, file.size() - kWriterSuffix.size()))) {
          remove_free_lock(lock_dir + "/" + std::string(file));
        }
        continue;
      }
      if (file.size() <= kSuffix.size() || !file.ends_with(kSuffix)) continue;
      const std::string name(file.substr(0, file.size() - kSuffix.size()));
      if (!is_valid_name(name)) continue;
      const std::string path = lock_dir + "/" + std::string(file);
      Fd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // held: a live reader
      // Its reader may have closed and a new one re-created the name since our open: the lock we
      // hold then belongs to a removed file and says nothing about the buffer now at that name.
      if (!same_file(fd.get(), path)) continue;
      bool unused = false;
      try {
        unused = buffer_unused(lock_dir, name, fd.get());
      } catch (...) {
        // Best effort: a buffer we cannot inspect is left alone.
      }
      if (unused && !dry_run) {
        shm_unlink_quiet(shm_os_name(name));
        Semaphore::unlink(sem_w_os_name(name));
        Semaphore::unlink(sem_r_os_name(name));
      }
      if (!dry_run) {
        remove_free_lock(writer_lock_path(lock_dir, name));
        ::unlink(path.c_str());
      }
      found.push_back({name, unused});
    }
  } catch (...) {
    // Out of memory while reporting: what was removed stays removed.
  }
  ::closedir(dir);
  return found;
}

bool semaphore_exists(const std::string& os_name) noexcept {
  // glibc keeps a named semaphore "/X" as /dev/shm/sem.X (see Semaphore::create).
  const std::string path = "/dev/shm/sem." + os_name.substr(1);
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> shared_memory_names() {
  std::vector<std::string> names;
  DIR* dir = ::opendir("/dev/shm");
  if (dir == nullptr) throw_os_error("cannot list /dev/shm");
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view file = entry->d_name;
    if (file.starts_with("sem.") || !is_valid_name(file)) continue;
    try {
      names.emplace_back(file);
    } catch (...) {
      ::closedir(dir);
      throw;
    }
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace zerobuffer::detail
