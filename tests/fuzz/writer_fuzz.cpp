// libFuzzer target: a Writer connecting to, and writing into, a hostile buffer.
//
// Each input plays the reader's part with real named objects (per process): it creates the
// shared memory with an input-chosen size (also smaller than an OIEB), fills the OIEB from a
// valid start with input-chosen fields (sizes, version, positions, free bytes, PIDs), creates
// both semaphores or leaves one out, then connects a Writer (write timeout 0 or 1 ms) and
// interleaves set_metadata, write_frame, try_write_frame, get_frame_buffer/commit_frame with
// further changes to the fields a reader owns (free bytes, read position and count, reader PID)
// and to any other OIEB field.
//
// Invariant: every call returns normally or throws a zerobuffer::ZeroBufferException; no
// other exception, no sanitizer report (so no write outside the mapping), no input runs
// longer than 1 s (run.sh passes -timeout=1), and every named object is gone after the input.
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_env.h"
#include "fuzz_input.h"
#include "zerobuffer/zerobuffer.h"

namespace {

using zbfuzz::FuzzInput;
using zerobuffer::Oieb;

constexpr int kMaxOps = 48;

// The fields a reader owns; other OIEB words are reached through the "any word" operation.
constexpr std::size_t kReaderFields[] = {offsetof(Oieb, payload_free_bytes), offsetof(Oieb, payload_read_pos),
                                         offsetof(Oieb, payload_read_count), offsetof(Oieb, reader_pid)};

/// The reader's side of one buffer: every object it creates is removed by the destructor.
class HostileReader {
 public:
  HostileReader(const std::string& name, std::size_t size, bool make_sem_w, bool make_sem_r)
      : name_(name), size_(size) {
    const int fd = ::shm_open(("/" + name).c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) std::abort();  // a leftover of an earlier input: the cleanup itself is broken
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) std::abort();
    if (size > 0) {
      void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (map == MAP_FAILED) std::abort();
      base_ = static_cast<std::byte*>(map);
    }
    ::close(fd);
    if (make_sem_w) make_semaphore("/sem-w-" + name);
    if (make_sem_r) make_semaphore("/sem-r-" + name);
  }
  ~HostileReader() {
    if (base_ != nullptr) ::munmap(base_, size_);
    ::shm_unlink(("/" + name_).c_str());
    ::sem_unlink(("/sem-w-" + name_).c_str());
    ::sem_unlink(("/sem-r-" + name_).c_str());
  }
  HostileReader(const HostileReader&) = delete;
  HostileReader& operator=(const HostileReader&) = delete;

  std::size_t size() const { return size_; }
  void set_word(std::size_t offset, std::uint64_t value) {
    if (offset + sizeof value <= size_) std::memcpy(base_ + offset, &value, sizeof value);
  }
  std::uint64_t word(std::size_t offset) const {
    std::uint64_t value = 0;
    if (offset + sizeof value <= size_) std::memcpy(&value, base_ + offset, sizeof value);
    return value;
  }

 private:
  static void make_semaphore(const std::string& os_name) {
    sem_t* sem = ::sem_open(os_name.c_str(), O_CREAT | O_EXCL, 0600, 0U);
    if (sem == SEM_FAILED) std::abort();
    ::sem_close(sem);
  }

  std::string name_;
  std::size_t size_;
  std::byte* base_ = nullptr;
};

// Writes a valid initial OIEB for the given block sizes, as a reader would.
void init_oieb(HostileReader& buffer, std::uint64_t metadata_size, std::uint64_t payload_size) {
  if (buffer.size() < zerobuffer::kOiebSize) return;
  buffer.set_word(offsetof(Oieb, oieb_size),
                  zerobuffer::kOiebSize | std::uint64_t{zerobuffer::kVersionMajor} << 32);
  buffer.set_word(offsetof(Oieb, metadata_size), metadata_size);
  buffer.set_word(offsetof(Oieb, metadata_free_bytes), metadata_size);
  buffer.set_word(offsetof(Oieb, payload_size), payload_size);
  buffer.set_word(offsetof(Oieb, payload_free_bytes), payload_size);
  buffer.set_word(offsetof(Oieb, reader_pid), zbfuzz::live_pid());
}

void hostile_word(FuzzInput& in, HostileReader& buffer, std::size_t offset, std::uint64_t payload_size) {
  const std::uint8_t how = in.u8();
  const std::uint64_t raw = in.u64();
  const bool is_pid = offset == offsetof(Oieb, reader_pid) || offset == offsetof(Oieb, writer_pid);
  buffer.set_word(offset, is_pid ? zbfuzz::pick_pid(how, raw) : zbfuzz::pick_value(how, raw, buffer.word(offset), payload_size));
}

std::vector<std::byte> frame_bytes(FuzzInput& in) {
  const std::size_t size = zbfuzz::pick_value(in.u8(), in.u16(), 0, 0) % 2048;  // 0 (invalid) .. 2047
  std::vector<std::byte> bytes(size, std::byte{0x5a});
  return bytes;
}

void run(FuzzInput& in) {
  const std::uint8_t shape = in.u8();
  std::uint64_t metadata_size = in.u8() % 5 * 64;
  std::uint64_t payload_size = 64 + in.u8() % 16 * 64;
  std::size_t object_size = zerobuffer::kOiebSize + metadata_size + payload_size;
  if (shape % 8 == 0) object_size = in.u8() % (zerobuffer::kOiebSize + 64);  // truncated object
  const std::string name = zbfuzz::buffer_name("writer");
  HostileReader buffer(name, object_size, shape % 16 != 1, shape % 16 != 2);
  init_oieb(buffer, metadata_size, payload_size);
  for (int n = in.u8() % 4; n > 0; --n) hostile_word(in, buffer, in.u8() % 16 * 8, payload_size);

  zerobuffer::WriterOptions options;
  options.write_timeout = std::chrono::milliseconds(shape % 4 == 3 ? 1 : 0);
  options.spin = std::chrono::nanoseconds(0);
  std::optional<zerobuffer::Writer> writer;
  try {
    writer.emplace(name, options);
  } catch (const zerobuffer::ZeroBufferException&) {
    return;  // allowed: refusing a hostile buffer is the expected outcome
  }

  for (int op = 0; op < kMaxOps && !in.empty(); ++op) {
    try {
      switch (in.u8() % 9) {
        case 0:
          hostile_word(in, buffer, kReaderFields[in.u8() % std::size(kReaderFields)], payload_size);
          break;
        case 1: hostile_word(in, buffer, in.u8() % 16 * 8, payload_size); break;
        case 2: {  // a reader releasing space it may or may not have
          const std::size_t at = offsetof(Oieb, payload_free_bytes);
          buffer.set_word(at, buffer.word(at) + in.u16() % (payload_size + 1));
          break;
        }
        case 3: {
          const std::size_t size = in.u16() % 512;
          writer->set_metadata(std::vector<std::byte>(size, std::byte{0x33}));
          break;
        }
        case 4:
        case 5: writer->write_frame(frame_bytes(in)); break;
        case 6: writer->try_write_frame(frame_bytes(in)); break;
        case 7: {
          const std::size_t size = frame_bytes(in).size();
          const std::span<std::byte> space = writer->get_frame_buffer(size);
          std::memset(space.data(), 0xa5, space.size());  // ASan checks the span lies in the mapping
          writer->commit_frame();
          break;
        }
        default: {
          zbfuzz::keep(writer->is_reader_connected() + writer->frames_written() + writer->next_sequence() +
                 writer->bytes_written());
          break;
        }
      }
    } catch (const zerobuffer::ZeroBufferException&) {
      // Allowed outcome; keep going to explore the state after the error.
    }
  }
  writer->close();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  zbfuzz::init_process_env();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  run(in);
  return 0;
}
