#include "zerobuffer/reader.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "deadline.h"
#include "posix.h"
#include "shared.h"
#include "spin.h"
#include "zerobuffer/error.h"
#include "zerobuffer/zerobuffer.h"

#ifdef ZEROBUFFER_CRASH_POINTS
#include "crash_point.h"
#define ZB_PAUSE_POINT(step) ::zerobuffer::detail::pause_point(step)
#else
#define ZB_PAUSE_POINT(step) static_cast<void>(0)
#endif

namespace zerobuffer {
namespace detail {

namespace {
constexpr auto kLivenessSlice = std::chrono::milliseconds(100);
}

/// The deadline of one read, taken from the clock only when the read has to wait: a read whose
/// frame is ready reads no clock.
class LazyDeadline {
 public:
  explicit LazyDeadline(std::chrono::milliseconds timeout) noexcept : timeout_(timeout) {}
  Clock::time_point get() noexcept {
    if (!known_) {
      at_ = deadline_after(Clock::now(), timeout_);
      known_ = true;
    }
    return at_;
  }

 private:
  std::chrono::milliseconds timeout_;
  Clock::time_point at_{};
  bool known_ = false;
};

/// Everything a reader owns. Outlives its Reader while Frames are held, so that a held frame
/// keeps the mapping alive: the Reader and each held Frame own it together (held_ counts the
/// frames; one thread, so no atomics).
class ReaderState {
 public:
  ReaderState(std::string_view name, const BufferConfig& config);
  ~ReaderState() { close(); }

  /// The Reader lets go: closes, and deletes the state unless frames are still held.
  static void drop(ReaderState* state) noexcept {
    state->close();
    state->reader_gone_ = true;
    if (state->held_ == 0) delete state;
  }
  /// A held frame is released; the last one of a dropped reader deletes the state.
  static void frame_released(ReaderState* state, std::uint64_t slot) noexcept {
    state->release(slot);
    if (--state->held_ == 0 && state->reader_gone_) delete state;
  }

  Frame read(LazyDeadline deadline, bool wait);
  std::span<const std::byte> metadata() const;
  bool writer_connected() const { return writer_alive(load(oieb()->writer_pid)); }
  void release(std::uint64_t slot) noexcept;
  void close() noexcept;
  bool open() const noexcept { return open_; }
  /// False in a process forked from the creator: there the reader is a copy that must not
  /// touch the buffer's shared state.
  bool owned() const noexcept { return current_pid() == owner_pid_; }

  std::string name_;
  std::uint64_t metadata_size_ = 0;
  std::uint64_t payload_size_ = 0;
  std::uint32_t mode_ = 0;
  std::uint64_t frames_read_ = 0;
  std::uint64_t bytes_read_ = 0;

 private:
  // Space handed back to the writer in ring order: one entry per frame or skipped tail.
  struct Pending {
    std::uint64_t bytes;
    bool released;
  };

  Oieb* oieb() const noexcept { return reinterpret_cast<Oieb*>(map_.data()); }
  const std::byte* payload() const noexcept { return map_.data() + kOiebSize + metadata_size_; }
  bool writer_alive(std::uint64_t pid) const noexcept { return peer_alive(writer_lock_, pid); }
  bool wait_for_post(LazyDeadline& deadline, bool wait);
  bool complete_frame_unread() const noexcept;
  bool check_writer_on_timeout();
  [[noreturn]] void writer_dead(const std::string& message);
  void reclaim_leaked_space() noexcept;
  bool writer_seen() noexcept;
  void return_space(std::uint64_t bytes, bool is_frame);
  std::uint64_t push_pending(std::uint64_t bytes, bool released) {
    if (pending_tail_ - pending_head_ == pending_.size()) grow_pending();
    const std::uint64_t slot = pending_tail_++;
    pending_[slot & (pending_.size() - 1)] = {bytes, released};
    return slot;
  }
  void grow_pending();

  AdaptiveSpin spin_;
  LockFile lock_;
  std::string writer_lock_;  // the writer's lock file (live.writer-lock)
  Mapping map_;
  Semaphore sem_w_;
  Semaphore sem_r_;
  bool open_ = false;
  std::uint64_t owner_pid_ = current_pid();

  std::uint64_t read_pos_ = 0;
  std::uint64_t read_count_ = 0;
  std::uint64_t expected_sequence_ = 1;
  // After a SequenceError(E, A): A + 1, accepted for the next frame besides E + 1 (0: none).
  std::uint64_t resync_sequence_ = 0;
  bool writer_seen_ = false;
  std::uint64_t held_ = 0;     // Frames handed out and not yet released
  bool reader_gone_ = false;   // the Reader was destroyed (or moved over)

  std::vector<Pending> pending_;  // ring buffer of capacity pending_.size() (a power of two)
  std::uint64_t pending_head_ = 0;  // slot number of the oldest entry
  std::uint64_t pending_tail_ = 0;  // slot number of the next entry
};

ReaderState::ReaderState(std::string_view name, const BufferConfig& config)
    : name_(name), mode_(config.mode & 07777), spin_(config.spin), pending_(16) {
  require_valid_name(name);
  if (config.payload_size == 0) throw InvalidFrameSizeException("payload size must be greater than 0");
  if (!round_block_size(config.metadata_size, metadata_size_) || !round_block_size(config.payload_size, payload_size_) ||
      metadata_size_ > std::numeric_limits<std::uint64_t>::max() - kOiebSize ||
      payload_size_ > std::numeric_limits<std::uint64_t>::max() - kOiebSize - metadata_size_ ||
      kOiebSize + metadata_size_ + payload_size_ > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw InvalidFrameSizeException("metadata size " + std::to_string(config.metadata_size) + " + payload size " +
                                    std::to_string(config.payload_size) + " is too large");
  }
  const std::uint64_t total = kOiebSize + metadata_size_ + payload_size_;

  const std::string dir = lock_directory();
  writer_lock_ = writer_lock_path(dir, name_);
  remove_stale_buffers(dir);
  if (!lock_.acquire(reader_lock_path(dir, name_), mode_)) {
    throw ReaderAlreadyConnectedException("buffer \"" + name_ + "\" already has a live reader (lock held)");
  }
  const std::string shm_name = shm_os_name(name_);
  try {
    if (Fd old = shm_open_existing(shm_name, true); old.valid()) {
      // A reader of another lock directory may still own it; a crashed reader's leftovers go.
      if (fd_size(old.get()) >= kOiebSize) {
        Mapping probe(old.get(), kOiebSize);
        const auto* o = reinterpret_cast<const Oieb*>(probe.data());
        const std::uint64_t pid = load(o->reader_pid);
        if (pid != current_pid() && pid_alive(pid)) {
          throw ReaderAlreadyConnectedException("buffer \"" + name_ + "\" already has a live reader (pid " +
                                                std::to_string(pid) + ")");
        }
      }
      shm_unlink_quiet(shm_name);
    }
    Semaphore::unlink(sem_w_os_name(name_));
    Semaphore::unlink(sem_r_os_name(name_));
    // A writer still holding it writes into the buffer just replaced; ours gets a new one.
    unlink_quiet(writer_lock_);

    Fd fd = shm_create(shm_name, total, mode_);
    try {
      map_ = Mapping(fd.get(), total);
      Oieb* o = oieb();
      o->version[0] = kVersionMajor;
      o->version[1] = kVersionMinor;
      o->version[2] = kVersionPatch;
      o->version[3] = 0;
      store(o->metadata_size, metadata_size_, std::memory_order_relaxed);
      store(o->metadata_free_bytes, metadata_size_, std::memory_order_relaxed);
      store(o->payload_size, payload_size_, std::memory_order_relaxed);
      store(o->payload_free_bytes, payload_size_, std::memory_order_relaxed);
      store(o->reader_pid, current_pid(), std::memory_order_relaxed);
      // oieb_size last: a writer treats 0 as "not initialised yet".
      std::atomic_ref<std::uint32_t>(o->oieb_size).store(kOiebSize, std::memory_order_release);
      sem_w_ = Semaphore::create(sem_w_os_name(name_), mode_);
      sem_r_ = Semaphore::create(sem_r_os_name(name_), mode_);
    } catch (...) {
      sem_w_.reset();
      sem_r_.reset();
      Semaphore::unlink(sem_w_os_name(name_));
      Semaphore::unlink(sem_r_os_name(name_));
      map_.reset();
      shm_unlink_quiet(shm_name);
      throw;
    }
  } catch (...) {
    lock_.remove();
    throw;
  }
  open_ = true;
}

void ReaderState::close() noexcept {
  if (!open_) return;
  open_ = false;
  if (!owned()) {
    // A forked child: the buffer, the lock and reader_pid belong to the parent.
    lock_.close();
    return;
  }
  store(oieb()->reader_pid, 0);
  shm_unlink_quiet(shm_os_name(name_));
  Semaphore::unlink(sem_w_os_name(name_));
  Semaphore::unlink(sem_r_os_name(name_));
  remove_free_lock(writer_lock_);  // a killed writer's; a live writer removes its own
  lock_.remove();
  // The mapping and semaphore handles go with the last Frame that still points here.
}

std::span<const std::byte> ReaderState::metadata() const {
  if (!open_) throw InvalidStateException("reader is closed");
  const Oieb* o = oieb();
  const std::uint64_t written = load(o->metadata_written_bytes);
  if (written == 0) return {};
  if (written < kMetadataPrefixSize || written > metadata_size_) {
    throw CorruptBufferException("metadata_written_bytes " + std::to_string(written) + " does not fit the " +
                                 std::to_string(metadata_size_) + "-byte metadata block");
  }
  const std::byte* block = map_.data() + kOiebSize;
  std::uint64_t length = 0;
  std::memcpy(&length, block, sizeof length);
  if (length > written - kMetadataPrefixSize) {
    throw CorruptBufferException("metadata length prefix " + std::to_string(length) + " exceeds the " +
                                 std::to_string(written - kMetadataPrefixSize) + " bytes written");
  }
  return {block + kMetadataPrefixSize, static_cast<std::size_t>(length)};
}

bool ReaderState::complete_frame_unread() const noexcept {
  const std::uint64_t unread = load(oieb()->payload_written_count) - read_count_;
  if (unread == 0 || unread > payload_size_) return false;
  if (payload_size_ - read_pos_ < kFrameHeaderSize) return true;  // short tail: the frame is at 0
  const FrameHeader h = read_header(payload() + read_pos_);
  return h.payload_size != 0 || unread >= 2;
}

// A writer connected at some point: seen directly, or it left frames or metadata behind.
bool ReaderState::writer_seen() noexcept {
  if (!writer_seen_) {
    const Oieb* o = oieb();
    writer_seen_ = load(o->writer_pid) != 0 || load(o->payload_written_count) != 0 ||
                   load(o->metadata_written_bytes) != 0;
  }
  return writer_seen_;
}

// True when a frame is ready after all; WriterDeadException when the writer is gone.
bool ReaderState::check_writer_on_timeout() {
  ZB_PAUSE_POINT("read.before-writer-check");
  const std::uint64_t pid = load(oieb()->writer_pid);
  if (pid != 0) {
    writer_seen_ = true;
    if (writer_alive(pid)) return false;
  }
  // The writer may have published a frame after the last look and then died or closed: the
  // counters are read once more, after its pid, before it is declared gone.
  if (complete_frame_unread()) return true;
  if (pid != 0) {
    writer_dead("writer process " + std::to_string(pid) + " died");
  } else if (writer_seen()) {
    writer_dead("writer closed the buffer and every frame was consumed");
  }
  return false;
}

void ReaderState::writer_dead(const std::string& message) {
  reclaim_leaked_space();
  throw WriterDeadException(message);
}

// A writer killed right after its reserve (§4.1 step 6a) left bytes subtracted from the free
// count that no frame uses (rule read.reclaim-leak). With the writer gone, every published item
// consumed, no frame held and the write position at ours, the ring is empty: its free count
// must be P. Free bytes are loaded before writer_pid: a successor claims before it reserves, so
// a reservation made before that load shows as a live writer_pid, and one made after it makes
// the compare-and-swap fail.
void ReaderState::reclaim_leaked_space() noexcept {
  if (!owned() || pending_head_ != pending_tail_) return;
  Oieb* o = oieb();
  std::uint64_t free_bytes = load(o->payload_free_bytes);
  const std::uint64_t writer = load(o->writer_pid);
  if (writer != 0 && writer_alive(writer)) return;
  std::uint64_t write_pos = load(o->payload_write_pos);
  if (write_pos == payload_size_) write_pos = 0;
  if (load(o->payload_written_count) != read_count_ || write_pos != read_pos_ || free_bytes >= payload_size_) return;
  std::atomic_ref<std::uint64_t>(o->payload_free_bytes)
      .compare_exchange_strong(free_bytes, payload_size_, std::memory_order_acq_rel);
}

// Returns true when a frame may be ready (a post arrived or the counters show one).
// The caller tried sem-w once already.
bool ReaderState::wait_for_post(LazyDeadline& deadline, bool wait) {
  if (!wait) return complete_frame_unread();
  if (const auto budget = spin_.next(); budget.count() > 0) {
    const auto spin_limit = Clock::now() + budget;
    const auto spin_end = std::min(deadline.get(), spin_limit);
    do {
      if (sem_w_.try_wait()) {
        spin_.succeeded();
        return true;
      }
    } while (Clock::now() < spin_end);
    if (spin_end == spin_limit) spin_.ran_out();
  }
  while (true) {
    const auto now = Clock::now();
    const auto slice_end = std::min(deadline.get(), now + kLivenessSlice);
    if (sem_w_.wait_until(slice_end)) return true;
    // The writer may have published and died before posting: read what is there.
    if (complete_frame_unread()) return true;
    if (check_writer_on_timeout()) return true;
    if (Clock::now() >= deadline.get()) return false;
  }
}

// The release queue is a ring of power-of-two capacity; it doubles only when more frames (and
// tails) are held at once than ever before.
void ReaderState::grow_pending() {
  std::vector<Pending> bigger(pending_.size() * 2);
  for (std::uint64_t s = pending_head_; s != pending_tail_; ++s) {
    bigger[s & (bigger.size() - 1)] = pending_[s & (pending_.size() - 1)];
  }
  pending_.swap(bigger);
}

// Skipped tails and wrap markers: returned at once unless earlier frames are still held.
void ReaderState::return_space(std::uint64_t bytes, bool is_frame) {
  if (is_frame || pending_head_ != pending_tail_) {
    push_pending(bytes, true);
    return;
  }
  add(oieb()->payload_free_bytes, bytes);
}

void ReaderState::release(std::uint64_t slot) noexcept {
  if (slot < pending_head_ || slot >= pending_tail_) return;
  pending_[slot & (pending_.size() - 1)].released = true;
  std::uint64_t bytes = 0;
  while (pending_head_ != pending_tail_ && pending_[pending_head_ & (pending_.size() - 1)].released) {
    bytes += pending_[pending_head_ & (pending_.size() - 1)].bytes;
    ++pending_head_;
  }
  if (bytes == 0 || !open_ || !owned()) return;
  add(oieb()->payload_free_bytes, bytes);
  try {
    sem_r_.post();
  } catch (const ZeroBufferException&) {
    // sem_post fails only on overflow (impossible: the writer drains it) or a bad handle.
  }
}

Frame ReaderState::read(LazyDeadline deadline, bool wait) {
  if (!open_) throw InvalidStateException("reader is closed");
  if (!owned()) throw_not_owned("reader", owner_pid_);
  Oieb* o = oieb();
  for (bool first = true;; first = false) {
    // Posts that bring no new frame must not keep the call going past its deadline.
    if (!first) {
      const auto end = deadline.get();
      if (Clock::now() >= end) return {};
    }
    // A post is usually there already: only a read that has to wait leaves this function.
    if (!sem_w_.try_wait() && !wait_for_post(deadline, wait)) return {};
    // The pid first: a writer that closes publishes its last frame before clearing it.
    const std::uint64_t writer_pid = load(o->writer_pid);
    const std::uint64_t written = load(o->payload_written_count);
    if (written == read_count_) {
      // A post for a frame we already read early, or the writer closed.
      if (writer_pid == 0 && writer_seen()) writer_dead("writer closed the buffer and every frame was consumed");
      if (!wait) return {};
      continue;
    }

    if (payload_size_ - read_pos_ < kFrameHeaderSize) {  // short tail: no marker fits
      return_space(payload_size_ - read_pos_, false);
      read_pos_ = 0;
      store(o->payload_read_pos, 0);
    }
    FrameHeader h = read_header(payload() + read_pos_);
    if (h.payload_size == 0) {  // wrap marker
      if (read_pos_ == 0) throw CorruptBufferException("wrap marker at ring offset 0");
      return_space(payload_size_ - read_pos_, false);
      read_pos_ = 0;
      ++read_count_;
      store(o->payload_read_pos, 0);
      store(o->payload_read_count, read_count_);
      if (load(o->payload_written_count) == read_count_) continue;  // the frame itself is not published yet
      h = read_header(payload());
      if (h.payload_size == 0) throw CorruptBufferException("wrap marker followed by another wrap marker");
    }
    if (h.payload_size > payload_size_ - read_pos_ - kFrameHeaderSize) {
      throw CorruptBufferException("frame header at ring offset " + std::to_string(read_pos_) + " claims " +
                                   std::to_string(h.payload_size) + " bytes, only " +
                                   std::to_string(payload_size_ - read_pos_ - kFrameHeaderSize) + " fit");
    }
    // Sequence 1 always begins a new writer session; after an error A + 1 is accepted too.
    const bool accepted = h.sequence == 1 || h.sequence == expected_sequence_ ||
                          (resync_sequence_ != 0 && h.sequence == resync_sequence_);

    const std::uint64_t total = kFrameHeaderSize + h.payload_size;
    const std::byte* data = payload() + read_pos_ + kFrameHeaderSize;
    read_pos_ += total;
    if (read_pos_ == payload_size_) read_pos_ = 0;
    ++read_count_;
    store(o->payload_read_pos, read_pos_);
    store(o->payload_read_count, read_count_);
    if (!accepted) {
      // Consumed, so the stream goes on; its space goes back like a released frame's.
      const std::uint64_t expected = expected_sequence_++;
      resync_sequence_ = h.sequence + 1;
      release(push_pending(total, false));
      throw SequenceErrorException(expected, h.sequence);
    }
    expected_sequence_ = h.sequence + 1;
    resync_sequence_ = 0;
    ++frames_read_;
    bytes_read_ += h.payload_size;
    const std::uint64_t slot = push_pending(total, false);
    ++held_;
    return Frame(this, data, static_cast<std::size_t>(h.payload_size), h.sequence, slot);
  }
}

}  // namespace detail

using detail::Clock;

void Frame::release_held() noexcept {
  detail::ReaderState* state = state_;
  state_ = nullptr;
  data_ = nullptr;
  size_ = 0;
  detail::ReaderState::frame_released(state, slot_);
}

Reader::Reader(std::string_view name, const BufferConfig& config)
    : state_(new detail::ReaderState(name, config)) {}
Reader::~Reader() {
  if (state_ != nullptr) detail::ReaderState::drop(state_);
}
Reader::Reader(Reader&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
Reader& Reader::operator=(Reader&& other) noexcept {
  if (this != &other) {
    if (state_ != nullptr) detail::ReaderState::drop(state_);
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

Frame Reader::read_frame(std::chrono::milliseconds timeout) {
  if (!state_) throw InvalidStateException("reader was moved from");
  return state_->read(detail::LazyDeadline(timeout), true);
}

Frame Reader::try_read_frame() {
  if (!state_) throw InvalidStateException("reader was moved from");
  return state_->read(detail::LazyDeadline(std::chrono::milliseconds(0)), false);
}

std::span<const std::byte> Reader::get_metadata() const {
  if (!state_) throw InvalidStateException("reader was moved from");
  return state_->metadata();
}

bool Reader::is_writer_connected() const { return state_ && state_->open() && state_->writer_connected(); }
std::uint64_t Reader::frames_read() const noexcept { return state_ ? state_->frames_read_ : 0; }
std::uint64_t Reader::bytes_read() const noexcept { return state_ ? state_->bytes_read_ : 0; }
const std::string& Reader::name() const noexcept {
  static const std::string empty;
  return state_ ? state_->name_ : empty;
}
std::uint64_t Reader::metadata_size() const noexcept { return state_ ? state_->metadata_size_ : 0; }
std::uint64_t Reader::payload_size() const noexcept { return state_ ? state_->payload_size_ : 0; }
std::uint32_t Reader::mode() const noexcept { return state_ ? state_->mode_ : 0; }

void Reader::close() noexcept {
  if (state_) state_->close();
}
bool Reader::is_open() const noexcept { return state_ && state_->open(); }

}  // namespace zerobuffer
