#include "fuzz_oracle.hpp"

#include "checksum.h"

#include <span>

namespace zbh {
namespace {

constexpr std::uint64_t kMetadataPrefix = 8;

std::string field_problem(const char* name, std::uint64_t got, std::uint64_t expected) {
  return std::string(name) + " is " + std::to_string(got) + " where " + std::to_string(expected) + " was due";
}

// The first byte at which `bytes` differs from the payload pattern of (seed, sequence), or -1.
std::int64_t pattern_mismatch(const std::vector<std::uint8_t>& bytes, std::uint64_t sequence, std::uint64_t seed) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != pattern_byte(i, sequence, seed)) return static_cast<std::int64_t>(i);
  }
  return -1;
}

}  // namespace

std::vector<std::string> connect_errors(const ShmView& view) {
  std::vector<std::string> kinds;
  const std::uint64_t oieb_size = view.field("oiebSize");
  if (oieb_size == 0) {
    kinds.push_back("BufferNotFound");
  } else if (oieb_size != kOiebSize || view.field("versionMajor") != 1) {
    kinds.push_back("IncompatibleVersion");
  }
  const std::uint64_t object_size = view.size();
  const std::uint64_t metadata_size = view.field("metadataSize");
  const std::uint64_t payload_size = view.field("payloadSize");
  // Each size is checked alone first, so the sum below cannot overflow.
  const bool sizes_fit = payload_size != 0 && metadata_size <= object_size && payload_size <= object_size &&
                         kOiebSize + metadata_size + payload_size <= object_size;
  if (!sizes_fit || view.field("payloadWritePos") > payload_size || view.field("payloadFreeBytes") > payload_size) {
    kinds.push_back("Corrupt");
  }
  return kinds;
}

WriterModel::WriterModel(const ShmView& view)
    : payload_base_(kOiebSize + view.field("metadataSize")),
      payload_size_(view.field("payloadSize")),
      write_pos_(view.field("payloadWritePos")),
      free_bytes_(view.field("payloadFreeBytes")),
      written_count_(view.field("payloadWrittenCount")) {}

WriterModel::Placement WriterModel::place(std::uint64_t size) const {
  Placement placement;
  const std::uint64_t total = kFrameHeaderSize + size;
  const std::uint64_t position = write_pos_ == payload_size_ ? 0 : write_pos_;  // write.exact-fit-pos
  const std::uint64_t space_to_end = payload_size_ - position;
  if (total > payload_size_) {
    placement.error = "FrameTooLarge";  // write.too-large
  } else if (space_to_end >= total) {
    placement.start = position;
    placement.taken = total;
  } else if (total > position) {
    placement.error = "FrameTooLarge";  // write.unplaceable
  } else {
    placement.wrapped = true;
    placement.marker = space_to_end >= kFrameHeaderSize;  // wrap.marker, wrap.short-tail-skip
    placement.start = 0;
    placement.taken = space_to_end + total;  // wrap.tail-accounting
  }
  if (placement.error.empty() && free_bytes_ < placement.taken) placement.error = "BufferFull";  // write.wait-space
  return placement;
}

std::vector<std::string> WriterModel::check_and_advance(const ShmView& view, const Placement& placement,
                                                        std::uint64_t size, std::uint64_t seed) {
  std::vector<std::string> problems;
  const std::uint64_t position = write_pos_ == payload_size_ ? 0 : write_pos_;
  const std::uint64_t header = payload_base_ + placement.start;
  const std::string where = "frame " + std::to_string(sequence_) + " (" + std::to_string(size) +
                            " bytes) at ring offset " + std::to_string(placement.start);
  if (placement.marker && view.read_uint(payload_base_ + position, 8) != 0) {
    problems.push_back("no wrap marker (size 0) at ring offset " + std::to_string(position) + " before " + where);
  }
  const std::uint64_t stored_size = view.read_uint(header, 8);
  const std::uint64_t stored_sequence = view.read_uint(header + 8, 8);
  if (stored_size != size || stored_sequence != sequence_) {
    problems.push_back(where + ": the header there says size " + std::to_string(stored_size) + ", sequence " +
                       std::to_string(stored_sequence));
  } else if (const auto at = pattern_mismatch(view.read_bytes(header + kFrameHeaderSize, size), sequence_, seed);
             at >= 0) {
    problems.push_back(where + ": data byte " + std::to_string(at) + " is not the pattern");
  }
  free_bytes_ -= placement.taken;
  write_pos_ = (placement.start + kFrameHeaderSize + size) % payload_size_;
  written_count_ += placement.marker ? 2 : 1;
  ++sequence_;
  for (auto& problem : check_unchanged(view)) problems.push_back("after " + where + ": " + problem);
  return problems;
}

std::vector<std::string> WriterModel::check_unchanged(const ShmView& view) const {
  std::vector<std::string> problems;
  if (const auto got = view.field("payloadFreeBytes"); got != free_bytes_) {
    problems.push_back(field_problem("payload_free_bytes", got, free_bytes_));
  }
  if (const auto got = view.field("payloadWritePos"); got != write_pos_) {
    problems.push_back(field_problem("payload_write_pos", got, write_pos_));
  }
  if (const auto got = view.field("payloadWrittenCount"); got != written_count_) {
    problems.push_back(field_problem("payload_written_count", got, written_count_));
  }
  return problems;
}

std::string set_metadata_error(const ShmView& view, std::uint64_t size) {
  if (view.field("metadataWrittenBytes") != 0) return "MetadataAlreadyWritten";
  if (kMetadataPrefix + size > view.field("metadataSize")) return "MetadataTooLarge";
  return "";
}

std::vector<std::string> check_metadata_written(const ShmView& view, std::uint64_t size, std::uint64_t seed) {
  std::vector<std::string> problems;
  if (const auto got = view.read_uint(kOiebSize, 8); got != size) {
    problems.push_back(field_problem("the metadata length prefix", got, size));
  } else if (const auto at = pattern_mismatch(view.read_bytes(kOiebSize + kMetadataPrefix, size), 0, seed); at >= 0) {
    problems.push_back("metadata byte " + std::to_string(at) + " is not the pattern");
  }
  if (const auto got = view.field("metadataWrittenBytes"); got != kMetadataPrefix + size) {
    problems.push_back(field_problem("metadata_written_bytes", got, kMetadataPrefix + size));
  }
  const std::uint64_t block = view.field("metadataSize");
  if (const auto got = view.field("metadataFreeBytes"); got != block - kMetadataPrefix - size) {
    problems.push_back(field_problem("metadata_free_bytes", got, block - kMetadataPrefix - size));
  }
  return problems;
}

MetadataTruth stored_metadata(const ShmView& view, std::uint64_t reader_metadata_size) {
  MetadataTruth truth;
  const std::uint64_t written = view.field("metadataWrittenBytes");
  std::uint64_t length = 0;
  if (written != 0) {
    if (written < kMetadataPrefix || written > reader_metadata_size) {
      truth.error = "Corrupt";
      return truth;
    }
    length = view.read_uint(kOiebSize, 8);
    if (length > written - kMetadataPrefix) {
      truth.error = "Corrupt";
      return truth;
    }
  }
  const auto bytes = view.read_bytes(kOiebSize + kMetadataPrefix, length);
  truth.size = length;
  truth.checksum = zbchecksum::checksum(std::as_bytes(std::span(bytes)));
  return truth;
}

}  // namespace zbh
