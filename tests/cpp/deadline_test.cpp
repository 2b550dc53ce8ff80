// Deadlines (protocol.md §6): a call ends by its deadline whatever the peer posts, and a
// timeout of milliseconds::max() waits forever instead of overflowing.
#include <semaphore.h>

#include <atomic>
#include <future>
#include <limits>
#include <thread>

#include "test_support.h"

namespace zbtest {
namespace {

constexpr auto kForever = std::chrono::milliseconds::max();

class Deadline : public ZeroBufferTest {};

// [rule time.deadline]: a peer that posts sem-w without publishing a frame.
TEST_F(Deadline, ReadEndsByItsDeadlineWhilePostsArriveWithoutFrames) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  sem_t* sem = ::sem_open(("/sem-w-" + n).c_str(), 0);
  ASSERT_NE(sem, SEM_FAILED);
  std::atomic<bool> stop{false};
  std::thread poster([&] {
    // Posts always pending, so the reader never finds the semaphore empty even while this
    // thread is descheduled, but a bounded number: a reader that ran past its deadline drains
    // them within a second once the poster stops.
    while (!stop.load()) {
      int pending = 0;
      ::sem_getvalue(sem, &pending);
      if (pending < 1'000'000) {
        for (int i = 0; i < 1'000'000; ++i) ::sem_post(sem);
      }
    }
  });
  auto read = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    const Frame frame = reader.read_frame(200ms);
    EXPECT_FALSE(frame.valid());
    return Clock::now() - start;
  });
  const bool ended = read.wait_for(3s) == std::future_status::ready;
  stop = true;  // lets a read that ran past its deadline finish, so the test can report it
  poster.join();
  ::sem_close(sem);
  EXPECT_TRUE(ended) << "read_frame(200ms) was still running after 3 s of posts without frames";
  EXPECT_LT(read.get(), 1s);
}

// [rule time.forever]
TEST_F(Deadline, ReadWithMaxTimeoutWaitsUntilAFrameArrives) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  auto read = std::async(std::launch::async, [&] { return reader.read_frame(kForever); });
  ASSERT_EQ(read.wait_for(300ms), std::future_status::timeout) << "read_frame(max) returned at once";
  writer.write_frame(pattern(10, 1));
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  const Frame frame = read.get();
  ASSERT_TRUE(frame.valid());
  EXPECT_EQ(frame.sequence(), 1u);
}

TEST_F(Deadline, WriteWithMaxTimeoutWaitsUntilSpaceComesBack) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024}, WriterOptions{.write_timeout = kForever});
  writer.write_frame(pattern(1000, 1));  // T = 1016: the ring is full for a second such frame
  auto write = std::async(std::launch::async, [&] { writer.write_frame(pattern(1000, 2)); });
  ASSERT_EQ(write.wait_for(300ms), std::future_status::timeout) << "write with write_timeout = max returned at once";
  reader.read_frame(1000ms).release();
  ASSERT_EQ(write.wait_for(5s), std::future_status::ready);
  write.get();
  EXPECT_EQ(reader.read_frame(1000ms).sequence(), 2u);
}

TEST_F(Deadline, TimeoutsTooLargeForTheClockAlsoMeanForever) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  const auto almost_max = std::chrono::milliseconds(std::numeric_limits<std::int64_t>::max() / 1000);
  auto read = std::async(std::launch::async, [&] { return reader.read_frame(almost_max); });
  ASSERT_EQ(read.wait_for(300ms), std::future_status::timeout) << "read_frame(huge) returned at once";
  writer.write_frame(pattern(10, 1));
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(read.get().valid());
}

}  // namespace
}  // namespace zbtest
