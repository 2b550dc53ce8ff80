// libFuzzer target: a Reader over a hostile buffer.
//
// Each input creates a real buffer (shared memory, semaphores, lock file; named per process),
// then plays the writer's part with the input's bytes: it overwrites the OIEB fields a writer
// owns, frame headers, wrap markers, short tails and the metadata block, posts the data
// semaphore, and between those calls read_frame (timeout 0 or 1 ms), try_read_frame, get_metadata
// and releases held frames in any order. Reads go on after an error, so states after a
// SequenceError or a Corrupt header are explored too.
//
// Invariant: every call returns normally (a frame, an empty frame, metadata) or throws a
// zerobuffer::ZeroBufferException; no other exception, no sanitizer report, no input runs
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
#include <deque>
#include <string>

#include "fuzz_env.h"
#include "fuzz_input.h"
#include "zerobuffer/zerobuffer.h"

namespace {

using zbfuzz::FuzzInput;
using zerobuffer::Oieb;

constexpr int kMaxOps = 48;

// The fields a writer owns (or that a hostile writer would touch anyway).
constexpr std::size_t kWriterFields[] = {
    offsetof(Oieb, metadata_free_bytes), offsetof(Oieb, metadata_written_bytes), offsetof(Oieb, payload_write_pos),
    offsetof(Oieb, payload_written_count), offsetof(Oieb, payload_free_bytes), offsetof(Oieb, writer_pid),
    offsetof(Oieb, payload_read_pos), offsetof(Oieb, payload_read_count)};

// Sums a frame's bytes so that ASan sees every byte the reader hands out.
std::uint64_t touch(std::span<const std::byte> bytes) {
  std::uint64_t sum = 0;
  for (std::byte b : bytes) sum += static_cast<std::uint8_t>(b);
  return sum;
}

class HostileWriter {
 public:
  HostileWriter(const std::string& name, std::size_t total) : total_(total) {
    const int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
    if (fd < 0) std::abort();
    void* map = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) std::abort();
    base_ = static_cast<std::byte*>(map);
    sem_w_ = ::sem_open(("/sem-w-" + name).c_str(), 0);
    if (sem_w_ == SEM_FAILED) std::abort();
  }
  ~HostileWriter() {
    ::sem_close(sem_w_);
    ::munmap(base_, total_);
  }
  HostileWriter(const HostileWriter&) = delete;
  HostileWriter& operator=(const HostileWriter&) = delete;

  std::uint64_t field(std::size_t offset) const {
    std::uint64_t value = 0;
    std::memcpy(&value, base_ + offset, sizeof value);
    return value;
  }
  void set_field(std::size_t offset, std::uint64_t value) { std::memcpy(base_ + offset, &value, sizeof value); }
  void put(std::size_t offset, std::span<const std::byte> bytes) {
    if (offset >= total_) return;
    const std::size_t n = std::min(bytes.size(), total_ - offset);
    std::memcpy(base_ + offset, bytes.data(), n);
  }
  void post() { ::sem_post(sem_w_); }

 private:
  std::size_t total_;
  std::byte* base_ = nullptr;
  sem_t* sem_w_ = SEM_FAILED;
};

void run(FuzzInput& in) {
  zerobuffer::BufferConfig config;
  config.metadata_size = in.u8() % 5 * 64;        // 0 .. 256
  config.payload_size = 64 + in.u8() % 16 * 64;   // 64 .. 1024
  config.spin = std::chrono::nanoseconds(0);
  const std::string name = zbfuzz::buffer_name("reader");
  zerobuffer::Reader reader(name, config);
  const std::uint64_t metadata_size = reader.metadata_size();
  const std::uint64_t payload_size = reader.payload_size();
  const std::size_t payload_at = zerobuffer::kOiebSize + metadata_size;
  HostileWriter writer(name, payload_at + payload_size);
  std::deque<zerobuffer::Frame> held;
  std::uint64_t sink = 0;

  for (int op = 0; op < kMaxOps && !in.empty(); ++op) {
    try {
      switch (in.u8() % 12) {
        case 0: {  // a writer-owned OIEB field
          const std::size_t offset = kWriterFields[in.u8() % std::size(kWriterFields)];
          const std::uint8_t how = in.u8();
          const std::uint64_t raw = in.u64();
          writer.set_field(offset, offset == offsetof(Oieb, writer_pid)
                                       ? zbfuzz::pick_pid(how, raw)
                                       : zbfuzz::pick_value(how, raw, writer.field(offset), payload_size));
          break;
        }
        case 1: {  // raw bytes anywhere in the metadata block or the ring
          const std::size_t offset = zerobuffer::kOiebSize + in.u16() % (metadata_size + payload_size);
          writer.put(offset, in.bytes(in.u8() % 40));
          break;
        }
        case 2: {  // a frame header (or, with size 0, a wrap marker) in the ring
          const std::uint64_t header[2] = {zbfuzz::pick_value(in.u8(), in.u64(), 0, payload_size), in.u8()};
          writer.put(payload_at + in.u16() % payload_size, std::as_bytes(std::span(header)));
          break;
        }
        case 3: {  // publish a well-formed-looking frame at the advertised write position
          const std::uint64_t pos = writer.field(offsetof(Oieb, payload_write_pos)) % payload_size;
          const std::uint64_t size = in.u8();
          const std::uint64_t header[2] = {size, writer.field(offsetof(Oieb, payload_written_count)) + 1};
          writer.put(payload_at + pos, std::as_bytes(std::span(header)));
          writer.set_field(offsetof(Oieb, payload_write_pos), (pos + 16 + size) % payload_size);
          writer.set_field(offsetof(Oieb, payload_written_count), header[1]);
          writer.post();
          break;
        }
        case 4: writer.post(); break;
        case 5:
        case 6: {
          zerobuffer::Frame frame = reader.read_frame(std::chrono::milliseconds(in.u8() % 8 == 0 ? 1 : 0));
          sink += touch(frame.data()) + frame.sequence();
          if (frame && in.u8() % 2 == 0) held.push_back(std::move(frame));
          break;
        }
        case 7: {
          zerobuffer::Frame frame = reader.try_read_frame();
          sink += touch(frame.data());
          if (frame && in.u8() % 2 == 0) held.push_back(std::move(frame));
          break;
        }
        case 8: sink += touch(reader.get_metadata()); break;
        case 9:
          if (!held.empty()) held.pop_front();
          break;
        case 10:
          if (!held.empty()) held.pop_back();
          break;
        default:
          sink += reader.is_writer_connected() + reader.frames_read() + reader.bytes_read();
          break;
      }
    } catch (const zerobuffer::ZeroBufferException&) {
      // Allowed outcome; keep going to explore the state after the error.
    }
  }
  // Frames held past close stay readable (documented); check that too.
  reader.close();
  for (const auto& frame : held) sink += touch(frame.data());
  zbfuzz::keep(sink);
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
