// Environments that break IPC: a process out of file descriptors (docs/reliability.md). Each
// create or connect runs in a forked child whose descriptor limit leaves room for 0, 1, 2, ...
// new descriptors, so it fails at every point where the library opens one, until it succeeds.
// Every failure must be an Internal error and leave nothing behind (and claim nothing).
#include <sys/resource.h>

#include <filesystem>

#include "test_support.h"

namespace zbtest {
namespace {

// The sanitizer runtimes need descriptors of their own (UBSan's vptr check opens a pipe to probe
// memory; with none left it reports every exception object as invalid), so these tests run in
// the plain builds only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

class DescriptorExhaustion : public ZeroBufferTest {
 protected:
  void SetUp() override {
    ZeroBufferTest::SetUp();
    if (kSanitized) GTEST_SKIP() << "a sanitizer runtime cannot work without free descriptors (dev build only)";
  }
};

// Exit codes of the child.
enum ChildResult { kCreated = 0, kInternalError = 20, kOtherError = 21, kUnexpected = 22 };

// Limits the process to its lowest free descriptor + `extra`, then runs `attempt`.
template <typename F>
int with_descriptors(int extra, F attempt) {
  return in_child(
      [&] {
        int lowest_free = 0;
        while (::fcntl(lowest_free, F_GETFD) != -1) ++lowest_free;
        const rlimit limit{static_cast<rlim_t>(lowest_free + extra), static_cast<rlim_t>(lowest_free + extra)};
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return static_cast<int>(kUnexpected);
        try {
          attempt();
          return static_cast<int>(kCreated);
        } catch (const zerobuffer::ZeroBufferException& e) {
          return static_cast<int>(e.code() == zerobuffer::ErrorCode::Internal ? kInternalError : kOtherError);
        }
      },
      kUnexpected);
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) found.push_back(entry.path().filename());
  std::sort(found.begin(), found.end());
  return found;
}

TEST_F(DescriptorExhaustion, ReaderCreateFailsCleanlyAtEveryDescriptorItOpens) {
  const auto n = name();
  int failures = 0;
  for (int extra = 0;; ++extra) {
    ASSERT_LT(extra, 16) << "the reader was never created";
    const int result = with_descriptors(extra, [&] { Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096}); });
    if (result == kCreated) break;
    ASSERT_EQ(result, kInternalError) << "with " << extra << " free descriptors";
    ++failures;
    EXPECT_FALSE(std::filesystem::exists("/dev/shm/" + n)) << extra;
    EXPECT_FALSE(std::filesystem::exists("/dev/shm/sem.sem-w-" + n)) << extra;
    EXPECT_FALSE(std::filesystem::exists("/dev/shm/sem.sem-r-" + n)) << extra;
    EXPECT_EQ(entries(lock_dir_), std::vector<std::string>{}) << extra;
  }
  EXPECT_GT(failures, 0) << "the child never ran out of descriptors";
}

TEST_F(DescriptorExhaustion, WriterConnectFailsCleanlyAndClaimsNothing) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  const auto locks = entries(lock_dir_);
  int failures = 0;
  for (int extra = 0;; ++extra) {
    ASSERT_LT(extra, 16) << "the writer never connected";
    const int result = with_descriptors(extra, [&] { Writer writer(n); });
    if (result == kCreated) break;
    ASSERT_EQ(result, kInternalError) << "with " << extra << " free descriptors";
    ++failures;
    EXPECT_EQ(RawBuffer(n).oieb().writer_pid, 0u) << extra;
    EXPECT_EQ(entries(lock_dir_), locks) << extra;
  }
  EXPECT_GT(failures, 0) << "the child never ran out of descriptors";
}

}  // namespace
}  // namespace zbtest
