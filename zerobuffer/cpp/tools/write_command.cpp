// `zerobuffer write NAME`: connects as writer and publishes frames read from stdin.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "signals.h"
#include "zerobuffer/zerobuffer.h"

namespace zbcli {
namespace {

using Clock = std::chrono::steady_clock;

/// Reads up to `size` bytes from stdin, fewer only at end of input. Throws on a read error.
std::size_t read_fully(std::byte* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    if (stop_requested()) return done;
    const ssize_t n = ::read(STDIN_FILENO, data + done, size - done);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw zerobuffer::InternalException(std::string("cannot read stdin: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

/// Connects, retrying while the reader has not created the buffer yet (or is replacing it).
zerobuffer::Writer connect(const WriteOptions& options) {
  zerobuffer::WriterOptions writer_options;
  writer_options.write_timeout = std::chrono::milliseconds(options.timeout_ms);
  const auto deadline = Clock::now() + std::chrono::milliseconds(options.wait_ms);
  while (true) {
    try {
      return zerobuffer::Writer(options.name, writer_options);
    } catch (const zerobuffer::ZeroBufferException& e) {
      const bool may_appear =
          e.code() == zerobuffer::ErrorCode::BufferNotFound || e.code() == zerobuffer::ErrorCode::ReaderDead;
      if (!may_appear || Clock::now() >= deadline || stop_requested()) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

int run_write(const WriteOptions& options) {
  install_stop_handlers();
  zerobuffer::Writer writer = connect(options);
  if (options.len_prefixed) {
    while (!stop_requested()) {
      unsigned char prefix[4];
      const std::size_t got = read_fully(reinterpret_cast<std::byte*>(prefix), sizeof prefix);
      if (got == 0) return kOk;
      if (got < sizeof prefix) {
        if (stop_requested()) break;
        throw zerobuffer::InvalidFrameSizeException("input ends inside a 4-byte length prefix");
      }
      const std::size_t length = std::size_t{prefix[0]} | (std::size_t{prefix[1]} << 8) |
                                  (std::size_t{prefix[2]} << 16) | (std::size_t{prefix[3]} << 24);
      // Zero copy: stdin is read straight into the ring.
      const std::span<std::byte> slot = writer.get_frame_buffer(length);
      if (read_fully(slot.data(), slot.size()) < slot.size()) {
        if (stop_requested()) break;
        throw zerobuffer::InvalidFrameSizeException("input ends inside a frame of " + std::to_string(length) +
                                                    " bytes (the partial frame was not published)");
      }
      writer.commit_frame();
    }
    return kInterrupted;
  }
  std::vector<std::byte> frame(options.frame_size);
  while (!stop_requested()) {
    const std::size_t got = read_fully(frame.data(), frame.size());
    if (got == 0) return kOk;
    if (stop_requested() && got < frame.size()) break;
    writer.write_frame(std::span(frame).first(got));  // the last frame may be shorter
  }
  return kInterrupted;
}

}  // namespace zbcli
