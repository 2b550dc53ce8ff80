// `zerobuffer inspect NAME`: the OIEB field by field, the metadata, and the frame headers at
// the read position. Every value comes from shared memory another process may have damaged,
// so each is checked against its block before it is used to read further.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "buffer_report.h"
#include "commands.h"
#include "exit_codes.h"
#include "zerobuffer/error.h"

namespace zbcli {
namespace {

using zerobuffer::kFrameHeaderSize;
using zerobuffer::kMetadataPrefixSize;
using zerobuffer::kOiebSize;
using zerobuffer::Oieb;

constexpr std::size_t kPreviewBytes = 32;

struct Field {
  std::size_t offset;
  const char* name;
  std::uint64_t value;
};

std::vector<Field> fields(const Oieb& o) {
  const std::uint64_t version = static_cast<std::uint64_t>(o.version[0]) | (std::uint64_t{o.version[1]} << 8) |
                                (std::uint64_t{o.version[2]} << 16) | (std::uint64_t{o.version[3]} << 24);
  return {{offsetof(Oieb, oieb_size), "oieb_size", o.oieb_size},
          {offsetof(Oieb, version), "version", version},
          {offsetof(Oieb, metadata_size), "metadata_size", o.metadata_size},
          {offsetof(Oieb, metadata_free_bytes), "metadata_free_bytes", o.metadata_free_bytes},
          {offsetof(Oieb, metadata_written_bytes), "metadata_written_bytes", o.metadata_written_bytes},
          {offsetof(Oieb, payload_size), "payload_size", o.payload_size},
          {offsetof(Oieb, payload_free_bytes), "payload_free_bytes", o.payload_free_bytes},
          {offsetof(Oieb, payload_write_pos), "payload_write_pos", o.payload_write_pos},
          {offsetof(Oieb, payload_read_pos), "payload_read_pos", o.payload_read_pos},
          {offsetof(Oieb, payload_written_count), "payload_written_count", o.payload_written_count},
          {offsetof(Oieb, payload_read_count), "payload_read_count", o.payload_read_count},
          {offsetof(Oieb, writer_pid), "writer_pid", o.writer_pid},
          {offsetof(Oieb, reader_pid), "reader_pid", o.reader_pid},
          {offsetof(Oieb, reserved), "reserved[0]", o.reserved[0]},
          {offsetof(Oieb, reserved) + 8, "reserved[1]", o.reserved[1]},
          {offsetof(Oieb, reserved) + 16, "reserved[2]", o.reserved[2]},
          {offsetof(Oieb, reserved) + 24, "reserved[3]", o.reserved[3]}};
}

std::string hex(std::span<const std::byte> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += ' ';
    const auto b = static_cast<unsigned>(bytes[i]);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::uint64_t u64_at(std::span<const std::byte> bytes, std::uint64_t offset) {
  std::uint64_t v = 0;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

struct Metadata {
  nlohmann::json json;
  std::vector<std::string> warnings;
};

// The metadata block of a header that passed check_header (so 128 + M fits the object).
Metadata metadata(const Oieb& o, std::span<const std::byte> bytes) {
  Metadata m;
  const std::uint64_t written = o.metadata_written_bytes;
  m.json = {{"written_bytes", written}};
  if (written < kMetadataPrefixSize || written > o.metadata_size) return m;
  const std::uint64_t length = u64_at(bytes, kOiebSize);
  m.json["length"] = length;
  if (length > written - kMetadataPrefixSize) {
    m.warnings.push_back("metadata length prefix " + std::to_string(length) + " exceeds the " +
                         std::to_string(written - kMetadataPrefixSize) + " bytes written");
    return m;
  }
  const std::size_t shown = static_cast<std::size_t>(std::min<std::uint64_t>(length, kPreviewBytes));
  m.json["preview_hex"] = hex(bytes.subspan(kOiebSize + kMetadataPrefixSize, shown));
  return m;
}

struct Frames {
  nlohmann::json json = nlohmann::json::array();
  std::vector<std::string> warnings;
};

// Walks at most `limit` unread entries from the read position, as a reader would (§4.2),
// stopping at the first impossible header.
Frames frames_at_read_position(const Oieb& o, std::span<const std::byte> bytes, int limit) {
  Frames f;
  const std::uint64_t p = o.payload_size;
  const std::span<const std::byte> ring = bytes.subspan(kOiebSize + o.metadata_size, p);
  std::uint64_t pos = o.payload_read_pos == p ? 0 : o.payload_read_pos;
  std::uint64_t unread = o.payload_written_count - o.payload_read_count;
  for (int i = 0; i < limit && unread > 0; ++i) {
    if (p - pos < kFrameHeaderSize) {
      f.json.push_back({{"ring_offset", pos}, {"kind", "short-tail"}, {"bytes", p - pos}});
      pos = 0;
      continue;
    }
    const std::uint64_t size = u64_at(ring, pos);
    const std::uint64_t sequence = u64_at(ring, pos + 8);
    --unread;
    if (size == 0) {
      f.json.push_back({{"ring_offset", pos}, {"kind", "wrap-marker"}, {"sequence", sequence}});
      if (pos == 0) {
        f.warnings.push_back("wrap marker at ring offset 0");
        break;
      }
      pos = 0;
      continue;
    }
    nlohmann::json frame = {{"ring_offset", pos}, {"kind", "frame"}, {"payload_size", size}, {"sequence", sequence}};
    if (size > p - pos - kFrameHeaderSize) {
      f.warnings.push_back("frame header at ring offset " + std::to_string(pos) + " claims " + std::to_string(size) +
                           " bytes, only " + std::to_string(p - pos - kFrameHeaderSize) + " fit");
      f.json.push_back(frame);
      break;
    }
    const std::size_t shown = static_cast<std::size_t>(std::min<std::uint64_t>(size, kPreviewBytes));
    frame["preview_hex"] = hex(ring.subspan(pos + kFrameHeaderSize, shown));
    f.json.push_back(frame);
    pos += kFrameHeaderSize + size;
    if (pos == p) pos = 0;
  }
  return f;
}

void print_hexdump(std::span<const std::byte> bytes) {
  for (std::size_t row = 0; row < bytes.size(); row += 16) {
    std::printf("  %04zx  %s\n", row, hex(bytes.subspan(row, std::min<std::size_t>(16, bytes.size() - row))).c_str());
  }
}

}  // namespace

int run_inspect(const InspectOptions& options) {
  const zerobuffer::BufferView view(options.name);
  const BufferReport report = describe(view);
  const Oieb& o = report.oieb;
  const std::span<const std::byte> bytes = view.bytes();

  nlohmann::json out = to_json(report);
  std::vector<std::string> warnings = report.problems;
  if (report.object_size >= kOiebSize) {
    nlohmann::json list = nlohmann::json::array();
    for (const Field& f : fields(o)) list.push_back({{"offset", f.offset}, {"field", f.name}, {"value", f.value}});
    out["oieb"] = list;
    if (options.hex) out["oieb_hex"] = hex(bytes.first(kOiebSize));
  }
  bool damaged = !header_usable(report) && report.state != "uninitialised";
  if (header_usable(report)) {
    Metadata m = metadata(o, bytes);
    out["metadata"] = m.json;
    Frames f = frames_at_read_position(o, bytes, options.frames);
    out["next_frames"] = f.json;
    warnings.insert(warnings.end(), m.warnings.begin(), m.warnings.end());
    warnings.insert(warnings.end(), f.warnings.begin(), f.warnings.end());
    damaged = !m.warnings.empty() || !f.warnings.empty();
  }
  out["warnings"] = warnings;
  const int code = damaged ? kCorrupt : kOk;

  if (options.json) {
    std::cout << out.dump(2) << '\n';
    return code;
  }
  std::printf("buffer %s: %s, object %llu bytes\n", report.name.c_str(), report.state.c_str(),
              static_cast<unsigned long long>(report.object_size));
  if (out.contains("oieb")) {
    std::printf("OIEB:\n");
    for (const Field& f : fields(o)) {
      std::printf("  0x%02zx  %-24s %llu\n", f.offset, f.name, static_cast<unsigned long long>(f.value));
    }
    if (options.hex) print_hexdump(bytes.first(kOiebSize));
  }
  if (header_usable(report)) {
    std::printf("reader: pid %llu %s; writer: pid %llu %s; ring %.1f%% in use\n",
                static_cast<unsigned long long>(o.reader_pid), report.reader_alive ? "alive" : "dead",
                static_cast<unsigned long long>(o.writer_pid), report.writer_alive ? "alive" : "not alive",
                report.fill_percent);
    std::printf("metadata: %s\n", out["metadata"].dump().c_str());
    std::printf("next frames at the read position:\n");
    for (const auto& frame : out["next_frames"]) std::printf("  %s\n", frame.dump().c_str());
  }
  for (const std::string& w : warnings) std::printf("warning: %s\n", w.c_str());
  return code;
}

}  // namespace zbcli
