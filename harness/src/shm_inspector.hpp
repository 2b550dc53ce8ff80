// Reads and corrupts a buffer's shared memory straight from /dev/shm, and looks after the other
// objects of a buffer (semaphores, lock file). No code of the C++ library is used here.
#pragma once

#include "shm_layout.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zbh {

class ShmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A mapping of /dev/shm/NAME: read-only for checks, read-write for corruption. Every access is
// bounds-checked against the object's real size, whatever its OIEB claims.
class ShmView {
 public:
  static ShmView open(const std::string& name, bool writable);
  ShmView(ShmView&& other) noexcept;
  ShmView& operator=(ShmView&&) = delete;
  ShmView(const ShmView&) = delete;
  ~ShmView();

  std::size_t size() const { return size_; }
  std::uint64_t read_uint(std::uint64_t offset, std::size_t width) const;
  std::vector<std::uint8_t> read_bytes(std::uint64_t offset, std::uint64_t length) const;
  void write_bytes(std::uint64_t offset, const std::vector<std::uint8_t>& bytes);
  void write_uint(std::uint64_t offset, std::size_t width, std::uint64_t value);

  std::uint64_t field(const OiebField& field) const { return read_uint(field.offset, field.width); }
  std::uint64_t field(std::string_view name) const;
  // Every OIEB field by name.
  nlohmann::json oieb() const;

  // Absolute offset of a location. "frame" is the header the reader will read next
  // (after skipping a short tail or a wrap marker), so corruption can target "the next frame".
  std::uint64_t resolve(const Location& location) const;

 private:
  ShmView(void* base, std::size_t size, bool writable) : base_(base), size_(size), writable_(writable) {}
  void check_range(std::uint64_t offset, std::uint64_t length) const;
  std::uint64_t payload_base() const;
  std::uint64_t next_frame_offset() const;

  void* base_ = nullptr;
  std::size_t size_ = 0;
  bool writable_ = false;
};

// Objects of buffer `name` that exist right now (paths).
std::vector<std::string> existing_objects(const std::string& name, const std::string& lock_dir);

// Every entry of /dev/shm and of `lock_dir` whose name contains `token`.
std::vector<std::string> objects_containing(const std::string& token, const std::string& lock_dir);

// Removes whatever exists of buffer `name`; returns what was removed.
std::vector<std::string> remove_objects(const std::string& name, const std::string& lock_dir);

// Leaves what a crashed reader and writer would: a shared memory object whose OIEB names two
// dead processes, both semaphores, and an unlocked lock file.
void fabricate_stale(const std::string& name, const std::string& lock_dir, std::uint64_t metadata_size,
                     std::uint64_t payload_size);

// Unlinks one object of buffer `name`, by its BufferPaths label (shm, semW, semR, lock), as a
// peer that crashed half-way would leave it; returns its path. ShmError if it does not exist.
std::string unlink_object(const std::string& name, const std::string& lock_dir, const std::string& label);

// Creates the shared memory object /NAME with `size` zero bytes and nothing else (O_EXCL).
void create_object(const std::string& name, std::uint64_t size);

// A PID that belonged to a process which has exited and been reaped.
std::uint64_t dead_pid();

// Whether another open file description holds a flock on the file at `path` (never following a
// symlink). The test lock is released at once. ShmError if the file does not exist.
bool lock_held(const std::string& path);

// Replaces the content of the lock file at `path` by `pid` in decimal, without locking it (a
// process that died with that PID, now reused, would have left it). ShmError if it does not exist.
void write_lock_pid(const std::string& path, std::uint64_t pid);

// The content of a (small) lock file, never following a symlink. ShmError if it cannot be read.
std::string read_lock_file(const std::string& path);

// Permission bits (e.g. 0600) of a path.
unsigned file_mode(const std::string& path);

}  // namespace zbh
