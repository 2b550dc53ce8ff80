// The stale-lock scan of Reader create against readers of other names in the same lock
// directory (docs/protocol.md §5, rules stale.same-inode and lockdir.wait-for-scan).
#include <sys/file.h>

#include <algorithm>
#include <thread>

#include "test_support.h"

namespace zbtest {
namespace {

class StaleScan : public ZeroBufferTest {};

// What a live reader of `name` must have while it lives: its three objects and its lock file,
// and its own PID in the OIEB.
bool own_buffer_intact(const std::string& name, const std::string& lock_dir) {
  namespace fs = std::filesystem;
  if (!fs::exists("/dev/shm/sem.sem-w-" + name) || !fs::exists("/dev/shm/sem.sem-r-" + name) ||
      !fs::exists(lock_dir + "/" + name + ".lock")) {
    return false;
  }
  const int fd = ::open(("/dev/shm/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::uint64_t reader_pid = 0;
  const bool read = ::pread(fd, &reader_pid, sizeof reader_pid, offsetof(zerobuffer::Oieb, reader_pid)) ==
                    static_cast<ssize_t>(sizeof reader_pid);
  ::close(fd);
  return read && reader_pid == static_cast<std::uint64_t>(::getpid());
}

// Creates and closes readers of `name` until `until`; returns how often a create failed or a
// live reader found its objects gone (at most 100).
int churn(const std::string& name, const std::string& lock_dir, Clock::time_point until) {
  int failures = 0;
  while (Clock::now() < until && failures < 100) {
    try {
      Reader reader(name, BufferConfig{.metadata_size = 0, .payload_size = 64});
      if (!own_buffer_intact(name, lock_dir)) ++failures;
    } catch (const std::exception&) {
      ++failures;
    }
  }
  return failures;
}

TEST_F(StaleScan, ReadersOfOtherNamesCreatedAndClosedConcurrentlyNeverLoseTheirObjects) {
  // Each process's create scans the lock files of the others while they are closed and
  // re-created; a scan must never remove what a live reader has just created.
  const std::vector<std::string> names = {name("a"), name("b"), name("c")};
  const auto until = Clock::now() + 3s;
  std::vector<pid_t> children;
  for (const auto& n : names) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::_exit(churn(n, lock_dir_, until));
    children.push_back(child);
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    int status = 0;
    ASSERT_EQ(::waitpid(children[i], &status, 0), children[i]);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "reader churn of " << names[i] << " failed or lost its objects";
  }
}

TEST_F(StaleScan, KeepsABufferWhoseHeaderIsNotCompleteYet) {
  // What a reader (of another lock directory) has between creating its object and storing
  // oieb_size: full size, all zero. Next to it here: a lock file nobody holds.
  const auto creating = name("c");
  const int fd = ::shm_open(("/" + creating).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, zerobuffer::kOiebSize + 64), 0);
  ::close(fd);
  ::close(::open((lock_dir_ + "/" + creating + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  { Reader other(name("o"), BufferConfig{.metadata_size = 0, .payload_size = 64}); }  // its create scans
  EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + creating)) << "the scan removed a buffer still being created";
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + creating + ".lock")) << "the stale lock file stays";
  ::shm_unlink(("/" + creating).c_str());
}

TEST_F(StaleScan, ReaderCreateWaitsForAScanThatBrieflyHoldsItsLockFile) {
  // A scan in another process found the lock file free, holds it, and removes it a moment
  // later. The create must not call that a live reader.
  const auto n = name();
  const std::string path = lock_dir_ + "/" + n + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  std::thread scan([&] {
    std::this_thread::sleep_for(10ms);  // the scan's own work on the stale buffer (well under 100 ms)
    ::unlink(path.c_str());
    ::close(fd);
  });
  EXPECT_NO_THROW(Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64}));
  scan.join();
}

TEST_F(StaleScan, ALockHeldLongerThanAScanIsALiveReader) {
  const auto n = name();
  Reader first(n, BufferConfig{.metadata_size = 0, .payload_size = 64});
  const auto start = Clock::now();
  EXPECT_THROW(Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64}),
               zerobuffer::ReaderAlreadyConnectedException);
  EXPECT_LT(Clock::now() - start, 2s);
}

}  // namespace
}  // namespace zbtest
