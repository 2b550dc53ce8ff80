// Fixture of the serve tests: an isolated lock directory, unique buffer names, serves that are
// shut down at the end, a message log per test, and a check that nothing leaks in /dev/shm.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "serve_process.h"

namespace zbserve_test {

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Starts a serve process that the fixture stops at the end of the test.
  ServeProcess& start(const std::string& label, const std::vector<std::string>& args = {});
  /// Stops a serve early (closes stdin, waits) and returns its wait status.
  int stop(ServeProcess& serve);
  /// A buffer name unique to this test; checked for leftovers at the end.
  std::string name(const std::string& tag = "b");

  /// A serve holding the reader role of `buffer`.
  ServeProcess& reader(const std::string& buffer, std::uint64_t payload_size = 4096, std::uint64_t metadata_size = 0);
  /// A serve holding the writer role of `buffer`.
  ServeProcess& writer(const std::string& buffer, const std::string& label = "writer");

  std::string lock_dir_;
  std::unique_ptr<MessageLog> log_;
  std::vector<std::unique_ptr<ServeProcess>> serves_;
  std::vector<std::string> names_;
};

/// The serve protocol's checksum of `text`'s bytes, and of the pattern frame (seed, sequence, size).
std::string checksum_of(const std::string& text);
std::string pattern_checksum(std::uint8_t seed, std::uint64_t sequence, std::size_t size);

/// True when every frame a readFrames call listed carries the checksum of the pattern of `seed`.
bool frames_are_pattern(const Json& read, std::uint8_t seed = 0);

/// True when /dev/shm holds the shared memory or a semaphore of buffer `name`.
bool shm_objects_exist(const std::string& name);

/// A read-write mapping of /dev/shm/NAME, to corrupt what the library wrote.
class RawShm {
 public:
  explicit RawShm(const std::string& name);
  ~RawShm();
  RawShm(const RawShm&) = delete;
  RawShm& operator=(const RawShm&) = delete;

  std::uint64_t u64(std::size_t offset) const;
  void set_u64(std::size_t offset, std::uint64_t value);
  void set_u8(std::size_t offset, std::uint8_t value);
  /// Offset of the payload ring (128 + metadata size from the OIEB).
  std::size_t payload_offset() const { return 128 + u64(0x08); }

 private:
  unsigned char* base_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace zbserve_test
