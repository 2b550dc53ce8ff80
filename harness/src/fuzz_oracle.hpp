// What a correct port must answer where the port fuzz knows the truth. Every verdict is derived
// from the shared memory as the harness reads it with its own code (shm_inspector), following
// docs/protocol.md: §2.2 for a writer connecting to a hostile OIEB, §4.1 for where the frames
// of a writer go, §3 for metadata. The port fuzz (port_fuzz.cpp) asks; this file only judges.
#pragma once

#include "shm_inspector.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace zbh {

// The error kinds a writer connecting to this buffer must fail with (trust.not-ready,
// trust.version, trust.sizes, trust.positions); empty when the OIEB passes every §2.2 check.
std::vector<std::string> connect_errors(const ShmView& view);

// The ring as a writer that connected to `view` continues it, frame by frame (§4.1), so the
// harness can say where each frame must land and what the OIEB must say afterwards. Valid only
// while nobody else changes the ring (the reader does not read in these iterations).
class WriterModel {
 public:
  explicit WriterModel(const ShmView& view);

  // One frame of `size` bytes: the error kind a correct writer gives (FrameTooLarge,
  // BufferFull after its timeout), or "" and where it goes.
  struct Placement {
    std::string error;
    bool marker = false;      // a wrap marker at the old write position
    bool wrapped = false;     // the frame starts at offset 0
    std::uint64_t start = 0;  // ring offset of the header
    std::uint64_t taken = 0;  // bytes subtracted from payload_free_bytes
  };
  Placement place(std::uint64_t size) const;

  // Checks the frame bytes (header {size, sequence}, pattern data of `seed`, a zeroed wrap
  // marker) and the OIEB after the write, then advances the model. Returns what was wrong.
  std::vector<std::string> check_and_advance(const ShmView& view, const Placement& placement, std::uint64_t size,
                                             std::uint64_t seed);
  // The OIEB must be unchanged by a write that failed.
  std::vector<std::string> check_unchanged(const ShmView& view) const;

  std::uint64_t next_sequence() const { return sequence_; }
  // Bytes from the write position to the ring's end.
  std::uint64_t space_to_end() const { return payload_size_ - (write_pos_ == payload_size_ ? 0 : write_pos_); }

 private:
  std::uint64_t payload_base_;  // 128 + metadata_size, as the writer read it
  std::uint64_t payload_size_;
  std::uint64_t write_pos_;
  std::uint64_t free_bytes_;
  std::uint64_t written_count_;
  std::uint64_t sequence_ = 1;
};

// setMetadata of `size` pattern bytes: the error kind a correct writer gives (meta.write-once,
// meta.too-large, in the order of meta.check-order; the reader is alive), or "".
std::string set_metadata_error(const ShmView& view, std::uint64_t size);
// After a successful setMetadata: prefix, pattern bytes (sequence 0, `seed`) and counters (meta.counters).
std::vector<std::string> check_metadata_written(const ShmView& view, std::uint64_t size, std::uint64_t seed);

// What getMetadata of a reader whose own metadata block has `reader_metadata_size` bytes must
// answer for the block as it is now (meta.read-empty, meta.read-content, meta.corrupt-length).
struct MetadataTruth {
  std::string error;  // "Corrupt", or "" for a result of `size` bytes with `checksum`
  std::uint64_t size = 0;
  std::string checksum;
};
MetadataTruth stored_metadata(const ShmView& view, std::uint64_t reader_metadata_size);

}  // namespace zbh
