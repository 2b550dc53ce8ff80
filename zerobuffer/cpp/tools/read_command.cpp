// `zerobuffer read NAME`: creates the buffer as its reader and copies frames to stdout.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "signals.h"
#include "zerobuffer/zerobuffer.h"

namespace zbcli {
namespace {

constexpr auto kSlice = std::chrono::milliseconds(100);  // how soon a stop signal is noticed

/// Writes all of `bytes` to stdout; false when stdout is gone (EPIPE) or fails.
bool write_all(const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool write_hexdump(const zerobuffer::Frame& frame) {
  std::string out = "frame " + std::to_string(frame.sequence()) + ", " + std::to_string(frame.size()) + " bytes\n";
  const auto bytes = frame.data();
  char line[128];
  for (std::size_t row = 0; row < bytes.size(); row += 16) {
    int used = std::snprintf(line, sizeof line, "  %08zx ", row);
    std::string ascii;
    for (std::size_t i = row; i < row + 16; ++i) {
      if (i < bytes.size()) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        used += std::snprintf(line + used, sizeof line - static_cast<std::size_t>(used), " %02x", b);
        ascii += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
      } else {
        used += std::snprintf(line + used, sizeof line - static_cast<std::size_t>(used), "   ");
      }
    }
    out += line;
    out += "  |" + ascii + "|\n";
  }
  return write_all(out.data(), out.size());
}

bool emit(const zerobuffer::Frame& frame, OutputFormat format) {
  switch (format) {
    case OutputFormat::Raw: return write_all(frame.data().data(), frame.size());
    case OutputFormat::LenPrefixed: {
      if (frame.size() > UINT32_MAX) return false;
      const auto length = static_cast<std::uint32_t>(frame.size());
      unsigned char prefix[4] = {static_cast<unsigned char>(length), static_cast<unsigned char>(length >> 8),
                                 static_cast<unsigned char>(length >> 16), static_cast<unsigned char>(length >> 24)};
      return write_all(prefix, sizeof prefix) && write_all(frame.data().data(), frame.size());
    }
    case OutputFormat::Hexdump: return write_hexdump(frame);
  }
  return false;
}

}  // namespace

int run_read(const ReadOptions& options) {
  install_stop_handlers();
  zerobuffer::BufferConfig config;
  config.metadata_size = options.metadata_size;
  config.payload_size = options.payload_size;
  zerobuffer::Reader reader(options.name, config);

  const auto limit = std::chrono::milliseconds(options.timeout_ms);
  auto idle = std::chrono::milliseconds(0);
  std::uint64_t frames = 0;
  while (options.count == 0 || frames < options.count) {
    if (stop_requested()) return kInterrupted;
    zerobuffer::Frame frame;
    try {
      frame = reader.read_frame(kSlice);
    } catch (const zerobuffer::WriterDeadException&) {
      // The end of the stream: the writer closed (or died) after its last frame was read.
      if (options.count != 0) throw;  // fewer frames than asked for
      return kOk;
    }
    if (!frame) {
      idle += kSlice;
      if (options.timeout_ms > 0 && idle >= limit) {
        throw zerobuffer::ZeroBufferException(zerobuffer::ErrorCode::Timeout,
                                              "no frame within " + std::to_string(options.timeout_ms) + " ms");
      }
      continue;
    }
    idle = std::chrono::milliseconds(0);
    if (!emit(frame, options.format)) {
      if (errno == EPIPE) return kOk;  // the consumer of stdout stopped reading
      throw zerobuffer::InternalException(std::string("cannot write to stdout: ") + std::strerror(errno));
    }
    ++frames;
  }
  return kOk;
}

}  // namespace zbcli
