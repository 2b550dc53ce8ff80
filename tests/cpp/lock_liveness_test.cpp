// Lock liveness (docs/protocol.md §6.1) through the host API every reader, writer, stale scan
// and the CLI use: a lock file naming the PID decides; anything else falls back to kill().
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "zerobuffer/host.h"

namespace zbtest {
namespace {

class LockLiveness : public ZeroBufferTest {
 protected:
  // Writes `content` into LOCKDIR/NAME.writer-lock and returns its path.
  std::string writer_lock(const std::string& n, const std::string& content) {
    std::filesystem::create_directories(lock_dir_);
    const std::string path = lock_dir_ + "/" + n + ".writer-lock";
    std::ofstream(path) << content;
    return path;
  }
};

// Holds a flock on `path` through an open file description of its own, as the owner would.
class Holder {
 public:
  explicit Holder(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    EXPECT_EQ(::flock(fd_, LOCK_EX | LOCK_NB), 0);
  }
  ~Holder() { release(); }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;

 private:
  int fd_;
};

TEST_F(LockLiveness, HeldLockNamingThePidIsAliveEvenWhenThePidIsDead) {
  const auto n = name();
  const std::uint64_t pid = dead_pid();
  const std::string path = writer_lock(n, std::to_string(pid));
  Holder holder(path);
  EXPECT_FALSE(zerobuffer::is_process_alive(pid));
  EXPECT_TRUE(zerobuffer::is_writer_alive(n, pid));
  std::filesystem::remove(path);
}

TEST_F(LockLiveness, FreeLockNamingThePidIsDeadEvenWhenThePidLives) {
  const auto n = name();
  const auto pid = static_cast<std::uint64_t>(::getppid());
  const std::string path = writer_lock(n, std::to_string(pid));
  EXPECT_TRUE(zerobuffer::is_process_alive(pid));
  EXPECT_FALSE(zerobuffer::is_writer_alive(n, pid));
  std::filesystem::remove(path);
}

TEST_F(LockLiveness, LockNamingAnotherPidSaysNothing) {
  const auto n = name();
  const auto live = static_cast<std::uint64_t>(::getppid());
  const std::string path = writer_lock(n, std::to_string(live + 1));
  EXPECT_TRUE(zerobuffer::is_writer_alive(n, live));  // free, but not this PID's: kill() decides
  {
    Holder holder(path);
    EXPECT_FALSE(zerobuffer::is_writer_alive(n, dead_pid()));  // held, but not this PID's
  }
  std::filesystem::remove(path);
}

TEST_F(LockLiveness, NoLockFileFallsBackToThePid) {
  const auto n = name();
  EXPECT_TRUE(zerobuffer::is_writer_alive(n, static_cast<std::uint64_t>(::getppid())));
  EXPECT_FALSE(zerobuffer::is_writer_alive(n, dead_pid()));
  EXPECT_FALSE(zerobuffer::is_writer_alive(n, 0));
}

TEST_F(LockLiveness, SymlinkAtTheLockPathIsNotFollowed) {
  const auto n = name();
  const std::uint64_t pid = dead_pid();
  const std::string target = writer_lock(n + "-target", std::to_string(pid));
  const std::string link = lock_dir_ + "/" + n + ".writer-lock";
  std::filesystem::create_symlink(target, link);
  Holder holder(target);
  EXPECT_FALSE(zerobuffer::is_writer_alive(n, pid));  // the held target is not consulted
  std::filesystem::remove(link);
  std::filesystem::remove(target);
}

TEST_F(LockLiveness, TestLocksLeaveNoLockBehind) {
  const auto n = name();
  const auto pid = static_cast<std::uint64_t>(::getppid());
  const std::string path = writer_lock(n, std::to_string(pid));
  Holder holder(path);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(zerobuffer::is_writer_alive(n, pid));
  holder.release();
  // A probe that kept its test lock would make the owner look alive from now on.
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(zerobuffer::is_writer_alive(n, pid));
  std::filesystem::remove(path);
}

TEST_F(LockLiveness, ReaderLockNamesTheReaderAndItsWriterLockTheWriter) {
  const auto n = name();
  zerobuffer::Reader reader(n, zerobuffer::BufferConfig{.metadata_size = 0, .payload_size = 4096});
  zerobuffer::Writer writer(n);
  const auto me = static_cast<std::uint64_t>(::getpid());
  std::string content;
  std::ifstream(lock_dir_ + "/" + n + ".lock") >> content;
  EXPECT_EQ(content, std::to_string(me));
  std::ifstream(lock_dir_ + "/" + n + ".writer-lock") >> content;
  EXPECT_EQ(content, std::to_string(me));
  EXPECT_TRUE(zerobuffer::is_reader_alive(n, me));
  EXPECT_TRUE(zerobuffer::is_writer_alive(n, me));
  writer.close();
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + n + ".writer-lock"));
}

}  // namespace
}  // namespace zbtest
