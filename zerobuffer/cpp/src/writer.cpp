#include "zerobuffer/writer.h"

#include <algorithm>
#include <limits>
#include <string>
#include <thread>

#include "deadline.h"
#include "posix.h"
#include "shared.h"
#include "spin.h"
#include "ticks.h"
#include "zerobuffer/error.h"

// Test builds only (tests/cpp): a named step of the write path where the writer _exit()s on
// request, to test what a successor finds after a crash there, and a named step of the connect
// where it stops on request, to test a race there. The shipped library has none.
#ifdef ZEROBUFFER_CRASH_POINTS
#include "crash_point.h"
#define ZB_CRASH_POINT(step) ::zerobuffer::detail::crash_point(step)
#define ZB_PAUSE_POINT(step) ::zerobuffer::detail::pause_point(step)
#else
#define ZB_CRASH_POINT(step) static_cast<void>(0)
#define ZB_PAUSE_POINT(step) static_cast<void>(0)
#endif

namespace zerobuffer {
namespace detail {

namespace {
constexpr auto kLivenessInterval = std::chrono::milliseconds(100);
}

class WriterState {
 public:
  WriterState(std::string_view name, const WriterOptions& options);
  ~WriterState() { close(); }

  /// Checks a metadata write of `size` bytes and returns where its bytes go.
  std::byte* prepare_metadata(std::size_t size);
  void commit_metadata();
  /// Reserves room for a frame of `size` bytes; returns where its data goes, or nullptr when
  /// `wait` is false and there is no room now.
  std::byte* prepare(std::size_t size, bool wait);
  std::uint64_t commit();
  bool reader_connected() const { return reader_alive(load(oieb()->reader_pid)); }
  void close() noexcept;

  std::string name_;
  std::chrono::milliseconds write_timeout_;
  std::uint64_t frames_written_ = 0;
  std::uint64_t bytes_written_ = 0;
  bool open_ = false;
  std::uint64_t metadata_size_ = 0;
  std::uint64_t payload_size_ = 0;
  std::uint64_t next_sequence_ = 1;

 private:
  Oieb* oieb() const noexcept { return reinterpret_cast<Oieb*>(map_.data()); }
  std::byte* payload() const noexcept { return map_.data() + kOiebSize + metadata_size_; }
  bool reader_alive(std::uint64_t pid) const noexcept { return peer_alive(reader_lock_, pid); }
  void take_writer_lock(const std::string& path, std::uint32_t mode);
  void snapshot_ring_state();
  void check_usable() const {
    if (!open_) throw InvalidStateException("writer is closed");
    if (current_pid() != pid_) throw_not_owned("writer", pid_);
  }
  void check_reader();
  void check_reader_periodically(Clock::time_point now);
  /// Once per frame (rule live.writer-streaming): a closed reader on every frame, a dead one
  /// when the clock says the liveness interval passed. The clock is read only when the tick
  /// counter shows that time worth reading it passed since the last read.
  void check_reader_streaming() {
    if (load(oieb()->reader_pid, std::memory_order_relaxed) == 0) throw_reader_closed();
    if (ticks_to_clock_.due()) check_reader_by_clock();
  }
  void check_reader_by_clock();
  [[noreturn]] void throw_reader_closed() const;
  bool wait_for_space(std::uint64_t need, bool wait);
  void drain_space_posts() noexcept;
  void repair_unpublished_frame() noexcept;

  AdaptiveSpin spin_;
  std::string reader_lock_;  // the reader's lock file
  LockFile lock_;            // ours (live.writer-lock); not held when it could not be created
  Mapping map_;
  Semaphore sem_w_;
  Semaphore sem_r_;
  std::uint64_t pid_ = 0;  // our PID, claimed in writer_pid; another PID here means a forked copy
  std::uint64_t write_pos_ = 0;
  std::uint64_t written_count_ = 0;
  Clock::time_point next_reader_check_{};
  ClockGate ticks_to_clock_;
  // The frame reserved by prepare() and not yet committed: its size, where it starts, and the
  // bytes of a wasted tail (wrap) before it; whether a wrap marker was written at write_pos_.
  bool reserved_ = false;
  std::uint64_t reserved_size_ = 0;
  // The metadata reserved by prepare_metadata() and not yet committed.
  bool metadata_reserved_ = false;
  std::uint64_t metadata_reserved_size_ = 0;
  std::uint64_t reserved_at_ = 0;
  std::uint64_t reserved_tail_ = 0;
  bool reserved_marker_ = false;
};

WriterState::WriterState(std::string_view name, const WriterOptions& options)
    : name_(name), write_timeout_(options.write_timeout), spin_(options.spin) {
  require_valid_name(name);
  Fd fd = shm_open_existing(shm_os_name(name_), true);
  if (!fd.valid()) throw BufferNotFoundException("no buffer named \"" + name_ + "\"");
  const std::size_t object_size = fd_size(fd.get());
  // A reader creates the object empty and sizes it in one step: 0 bytes is a reader between
  // the two (retry), any other size below an OIEB never occurs during creation.
  if (object_size == 0) throw BufferNotFoundException("buffer \"" + name_ + "\" is not initialised yet (0 bytes)");
  if (object_size < kOiebSize) {
    throw CorruptBufferException("shared memory of buffer \"" + name_ + "\" is " + std::to_string(object_size) +
                                 " bytes, smaller than an OIEB");
  }
  map_ = Mapping(fd.get(), object_size);
  Oieb* o = oieb();
  const std::uint32_t oieb_size = std::atomic_ref<std::uint32_t>(o->oieb_size).load(std::memory_order_acquire);
  if (oieb_size == 0) throw BufferNotFoundException("buffer \"" + name_ + "\" is not initialised yet");
  if (oieb_size != kOiebSize || o->version[0] != kVersionMajor) {
    throw IncompatibleVersionException("buffer \"" + name_ + "\" has OIEB size " + std::to_string(oieb_size) +
                                       " and version " + std::to_string(o->version[0]) + "." +
                                       std::to_string(o->version[1]) + "." + std::to_string(o->version[2]) +
                                       "; this library speaks 1.x with a 128-byte OIEB");
  }
  metadata_size_ = load(o->metadata_size);
  payload_size_ = load(o->payload_size);
  if (payload_size_ == 0 || metadata_size_ > object_size || payload_size_ > object_size ||
      kOiebSize + metadata_size_ + payload_size_ > object_size) {
    throw CorruptBufferException("buffer \"" + name_ + "\" header claims metadata " + std::to_string(metadata_size_) +
                                 " + payload " + std::to_string(payload_size_) + " bytes, but the object has " +
                                 std::to_string(object_size));
  }
  snapshot_ring_state();  // validated before the claim: a corrupt buffer is refused untouched
  sem_w_ = Semaphore::open_existing(sem_w_os_name(name_));
  sem_r_ = Semaphore::open_existing(sem_r_os_name(name_));
  if (!sem_w_.valid() || !sem_r_.valid()) {
    throw BufferNotFoundException("buffer \"" + name_ + "\" has no semaphores (yet)");
  }
  const std::string lock_dir = lock_directory_path();
  reader_lock_ = reader_lock_path(lock_dir, name_);
  const std::uint64_t reader = load(o->reader_pid);
  if (!reader_alive(reader)) {
    throw ReaderDeadException("buffer \"" + name_ + "\" has no live reader" +
                              (reader != 0 ? " (pid " + std::to_string(reader) + " is dead)" : std::string()));
  }
  ZB_PAUSE_POINT("connect.before-claim");  // before the writer lock, which a live predecessor holds
  take_writer_lock(writer_lock_path(lock_dir, name_), fd_mode(fd.get()));
  // Claim the writer slot last, atomically: from 0, or from a dead writer, never from a live one.
  pid_ = current_pid();
  const std::string writer_lock = writer_lock_path(lock_dir, name_);
  std::atomic_ref<std::uint64_t> writer_pid(o->writer_pid);
  std::uint64_t previous = writer_pid.load(std::memory_order_acquire);
  while (true) {
    if (previous != 0 && previous != pid_ && peer_alive(writer_lock, previous)) {
      lock_.remove();
      throw WriterAlreadyConnectedException("buffer \"" + name_ + "\" already has a live writer (pid " +
                                            std::to_string(previous) + ")");
    }
    if (previous == pid_) {
      lock_.remove();
      throw WriterAlreadyConnectedException("this process already has a writer on buffer \"" + name_ + "\"");
    }
    if (writer_pid.compare_exchange_weak(previous, pid_, std::memory_order_acq_rel)) break;
  }
  // The previous writer may have written more until the claim: take the ring state only now.
  try {
    snapshot_ring_state();
  } catch (...) {
    std::uint64_t ours = pid_;
    writer_pid.compare_exchange_strong(ours, previous, std::memory_order_acq_rel);
    lock_.remove();
    throw;
  }
  repair_unpublished_frame();
  next_reader_check_ = Clock::now() + kLivenessInterval;
  open_ = true;
}

// Taken before the claim, so a reader never sees our PID in writer_pid without the lock held.
// A lock held by another live writer is WriterAlreadyConnected. A lock file that cannot be
// created (no permission, read-only file system) leaves us without one: the reader then judges
// us by our PID, as it judges a writer that knows nothing of these locks.
void WriterState::take_writer_lock(const std::string& path, std::uint32_t mode) {
  bool taken = false;
  try {
    taken = lock_.acquire(path, mode);
  } catch (const InternalException&) {
    return;
  }
  if (!taken) throw WriterAlreadyConnectedException("buffer \"" + name_ + "\" already has a live writer (lock held)");
}

void WriterState::snapshot_ring_state() {
  const Oieb* o = oieb();
  write_pos_ = load(o->payload_write_pos);
  written_count_ = load(o->payload_written_count);
  const std::uint64_t free_bytes = load(o->payload_free_bytes);
  if (write_pos_ > payload_size_ || free_bytes > payload_size_) {
    throw CorruptBufferException("buffer \"" + name_ + "\" header has write position " + std::to_string(write_pos_) +
                                 " / free bytes " + std::to_string(free_bytes) + " outside its payload of " +
                                 std::to_string(payload_size_));
  }
  if (write_pos_ == payload_size_) write_pos_ = 0;  // left by implementations that do not wrap an exact fit
}

// A predecessor killed between advancing payload_write_pos and publishing the count (§4.1,
// rule write.crash-repair) left a frame that was never published, yet its space is subtracted.
// Once the reader has consumed every published item its position is final, and it must equal
// the write position; when it is exactly one unpublished frame behind, take the frame back.
void WriterState::repair_unpublished_frame() noexcept {
  Oieb* o = oieb();
  if (load(o->payload_read_count) != written_count_) return;  // read first: then read_pos is final
  std::uint64_t read_pos = load(o->payload_read_pos);
  if (read_pos == payload_size_) read_pos = 0;
  if (read_pos >= payload_size_ || read_pos == write_pos_) return;
  // Walk the one item the predecessor wrote at read_pos: a short tail or marker, then a frame.
  std::uint64_t at = read_pos;
  std::uint64_t taken = 0;
  if (payload_size_ - at < kFrameHeaderSize || read_header(payload() + at).payload_size == 0) {
    taken = payload_size_ - at;
    at = 0;
  }
  const std::uint64_t size = read_header(payload() + at).payload_size;
  if (size == 0 || size > payload_size_ - at - kFrameHeaderSize) return;
  std::uint64_t end = at + kFrameHeaderSize + size;
  taken += kFrameHeaderSize + size;
  if (end == payload_size_) end = 0;
  if (end != write_pos_ || load(o->payload_free_bytes) > payload_size_ - taken) return;
  write_pos_ = read_pos;
  store(o->payload_write_pos, write_pos_);
  add(o->payload_free_bytes, taken);
}

void WriterState::close() noexcept {
  if (!open_) return;
  open_ = false;
  if (current_pid() == pid_) {  // a forked child leaves the parent's claim alone
    std::uint64_t expected = pid_;
    std::atomic_ref<std::uint64_t>(oieb()->writer_pid).compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
    lock_.remove();
  } else {
    lock_.close();  // the parent's lock stays held through its own descriptor
  }
  sem_w_.reset();
  sem_r_.reset();
  map_.reset();
}

std::byte* WriterState::prepare_metadata(std::size_t size) {
  check_usable();
  if (metadata_reserved_) throw InvalidStateException("a metadata buffer is already reserved; commit it first");
  Oieb* o = oieb();
  if (load(o->metadata_written_bytes) != 0) {
    throw MetadataAlreadyWrittenException("metadata of buffer \"" + name_ + "\" was already written");
  }
  if (metadata_size_ < kMetadataPrefixSize || size > metadata_size_ - kMetadataPrefixSize) {
    throw MetadataTooLargeException("metadata of " + std::to_string(size) + " bytes (+8-byte prefix) exceeds the " +
                                    std::to_string(metadata_size_) + "-byte metadata block");
  }
  check_reader();
  metadata_reserved_ = true;
  metadata_reserved_size_ = size;
  return map_.data() + kOiebSize + kMetadataPrefixSize;
}

void WriterState::commit_metadata() {
  check_usable();
  if (!metadata_reserved_) throw InvalidStateException("commit_metadata without get_metadata_buffer");
  metadata_reserved_ = false;
  Oieb* o = oieb();
  const std::uint64_t length = metadata_reserved_size_;
  std::memcpy(map_.data() + kOiebSize, &length, sizeof length);
  store(o->metadata_free_bytes, metadata_size_ - kMetadataPrefixSize - length);
  store(o->metadata_written_bytes, kMetadataPrefixSize + length);
}

void WriterState::check_reader() {
  const std::uint64_t reader = load(oieb()->reader_pid);
  if (reader == 0) throw ReaderDeadException("the reader of buffer \"" + name_ + "\" closed it");
  if (!reader_alive(reader)) {
    throw ReaderDeadException("the reader of buffer \"" + name_ + "\" (pid " + std::to_string(reader) + ") died");
  }
}

void WriterState::throw_reader_closed() const {
  throw ReaderDeadException("the reader of buffer \"" + name_ + "\" closed it");
}

void WriterState::check_reader_by_clock() { check_reader_periodically(Clock::now()); }

void WriterState::check_reader_periodically(Clock::time_point now) {
  if (load(oieb()->reader_pid, std::memory_order_relaxed) == 0) {
    throw ReaderDeadException("the reader of buffer \"" + name_ + "\" closed it");
  }
  if (now >= next_reader_check_) {
    check_reader();
    next_reader_check_ = now + kLivenessInterval;
    // sem-r is posted once per released frame but consumed only while we wait; consume the
    // backlog at least this often so its count stays far below SEM_VALUE_MAX.
    drain_space_posts();
  }
}

void WriterState::drain_space_posts() noexcept {
  while (sem_r_.try_wait()) {
  }
}

bool WriterState::wait_for_space(std::uint64_t need, bool wait) {
  Oieb* o = oieb();
  if (load(o->payload_free_bytes) >= need) return true;
  // Stale posts would make the first waits below return at once.
  drain_space_posts();
  if (load(o->payload_free_bytes) >= need) return true;
  if (!wait) return false;
  const auto start = Clock::now();
  const auto deadline = deadline_after(start, write_timeout_);
  if (const auto budget = spin_.next(); budget.count() > 0) {
    const auto spin_limit = start + budget;
    const auto spin_end = std::min(deadline, spin_limit);
    do {
      if (sem_r_.try_wait() && load(o->payload_free_bytes) >= need) {
        spin_.succeeded();
        return true;
      }
    } while (Clock::now() < spin_end);
    if (spin_end == spin_limit) spin_.ran_out();
  }
  while (true) {
    const auto now = Clock::now();
    check_reader_periodically(now);  // may drain posts: measure afterwards
    if (load(o->payload_free_bytes) >= need) return true;
    if (now >= deadline) {
      check_reader();
      throw BufferFullException("no space for " + std::to_string(need) + " bytes in buffer \"" + name_ + "\" within " +
                                std::to_string(write_timeout_.count()) + " ms");
    }
    sem_r_.wait_until(std::min(deadline, next_reader_check_));
  }
}

std::byte* WriterState::prepare(std::size_t size, bool wait) {
  check_usable();
  if (reserved_) throw InvalidStateException("a frame buffer is already reserved; commit it first");
  if (size == 0) throw InvalidFrameSizeException("frames must have at least one byte");
  if (payload_size_ < kFrameHeaderSize || size > payload_size_ - kFrameHeaderSize) {
    throw FrameTooLargeException("a frame of " + std::to_string(size) + " bytes (+16-byte header) exceeds the " +
                                 std::to_string(payload_size_) + "-byte ring of buffer \"" + name_ + "\"");
  }
  const std::uint64_t total = kFrameHeaderSize + size;
  const std::uint64_t to_end = payload_size_ - write_pos_;
  const bool wrap = to_end < total;
  if (wrap && total > write_pos_) {
    throw FrameTooLargeException(
        "a frame of " + std::to_string(size) + " bytes can never be placed from ring offset " +
        std::to_string(write_pos_) + ": it does not fit in the " + std::to_string(to_end) +
        " bytes before the end nor in the " + std::to_string(write_pos_) +
        " bytes before this offset (frames up to half the ring always fit)");
  }
  check_reader_streaming();
  const std::uint64_t need = wrap ? to_end + total : total;
  if (load(oieb()->payload_free_bytes) < need && !wait_for_space(need, wait)) return nullptr;

  // Only bytes in free space are written here; every shared counter changes in commit().
  reserved_marker_ = wrap && to_end >= kFrameHeaderSize;
  if (reserved_marker_) write_header(payload() + write_pos_, FrameHeader{0, 0});
  ZB_CRASH_POINT("prepare.after-marker");
  reserved_tail_ = wrap ? to_end : 0;
  reserved_at_ = wrap ? 0 : write_pos_;
  write_header(payload() + reserved_at_, FrameHeader{size, next_sequence_});
  reserved_ = true;
  reserved_size_ = size;
  return payload() + reserved_at_ + kFrameHeaderSize;
}

std::uint64_t WriterState::commit() {
  check_usable();
  if (!reserved_) throw InvalidStateException("commit_frame without get_frame_buffer");
  reserved_ = false;
  ZB_CRASH_POINT("commit.before-reserve");
  // The order is the crash-safety rule write.crash-order: reserve the space, advance the write
  // position, then publish. A successor repairs the one window that needs it at connect.
  Oieb* o = oieb();
  const std::uint64_t total = kFrameHeaderSize + reserved_size_;
  sub(o->payload_free_bytes, reserved_tail_ + total);
  ZB_CRASH_POINT("commit.after-reserve");
  write_pos_ = reserved_at_ + total;
  if (write_pos_ == payload_size_) write_pos_ = 0;
  store(o->payload_write_pos, write_pos_);
  ZB_CRASH_POINT("commit.after-advance");
  written_count_ += reserved_marker_ ? 2 : 1;
  store(o->payload_written_count, written_count_);
  ZB_CRASH_POINT("commit.after-publish");
  sem_w_.post();
  ++frames_written_;
  bytes_written_ += reserved_size_;
  return next_sequence_++;
}

}  // namespace detail

bool is_connect_retryable(ErrorCode code) noexcept {
  return code == ErrorCode::BufferNotFound || code == ErrorCode::ReaderDead;
}

Writer::Writer(std::string_view name, const WriterOptions& options) {
  constexpr std::chrono::milliseconds kConnectRetryInterval(10);
  const auto start = detail::Clock::now();
  while (true) {
    try {
      state_ = std::make_unique<detail::WriterState>(name, options);
      return;
    } catch (const ZeroBufferException& e) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(detail::Clock::now() - start);
      if (!is_connect_retryable(e.code()) || waited + kConnectRetryInterval > options.connect_timeout) throw;
    }
    std::this_thread::sleep_for(kConnectRetryInterval);
  }
}
Writer::~Writer() = default;
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;

namespace {
detail::WriterState& checked(const std::unique_ptr<detail::WriterState>& state) {
  if (!state) throw InvalidStateException("writer was moved from");
  return *state;
}
}  // namespace

void Writer::set_metadata(std::span<const std::byte> data) {
  auto& s = checked(state_);
  std::byte* at = s.prepare_metadata(data.size());
  if (!data.empty()) std::memcpy(at, data.data(), data.size());
  s.commit_metadata();
}

std::span<std::byte> Writer::get_metadata_buffer(std::size_t size) {
  return {checked(state_).prepare_metadata(size), size};
}

void Writer::commit_metadata() { checked(state_).commit_metadata(); }

std::uint64_t Writer::write_frame(std::span<const std::byte> data) {
  auto& s = checked(state_);
  std::byte* at = s.prepare(data.size(), true);
  std::memcpy(at, data.data(), data.size());
  return s.commit();
}

std::uint64_t Writer::try_write_frame(std::span<const std::byte> data) {
  auto& s = checked(state_);
  std::byte* at = s.prepare(data.size(), false);
  if (at == nullptr) return 0;
  std::memcpy(at, data.data(), data.size());
  return s.commit();
}

std::span<std::byte> Writer::get_frame_buffer(std::size_t size) {
  return {checked(state_).prepare(size, true), size};
}

std::uint64_t Writer::commit_frame() { return checked(state_).commit(); }

bool Writer::is_reader_connected() const { return state_ && state_->open_ && state_->reader_connected(); }
void Writer::set_write_timeout(std::chrono::milliseconds timeout) noexcept {
  if (state_) state_->write_timeout_ = std::max(timeout, std::chrono::milliseconds(0));
}
std::chrono::milliseconds Writer::write_timeout() const noexcept {
  return state_ ? state_->write_timeout_ : std::chrono::milliseconds(0);
}
std::uint64_t Writer::frames_written() const noexcept { return state_ ? state_->frames_written_ : 0; }
std::uint64_t Writer::next_sequence() const noexcept { return state_ ? state_->next_sequence_ : 0; }
std::uint64_t Writer::metadata_size() const noexcept { return state_ ? state_->metadata_size_ : 0; }
std::uint64_t Writer::payload_size() const noexcept { return state_ ? state_->payload_size_ : 0; }
std::uint64_t Writer::bytes_written() const noexcept { return state_ ? state_->bytes_written_ : 0; }
const std::string& Writer::name() const noexcept {
  static const std::string empty;
  return state_ ? state_->name_ : empty;
}
void Writer::close() noexcept {
  if (state_) state_->close();
}
bool Writer::is_open() const noexcept { return state_ && state_->open_; }

}  // namespace zerobuffer
