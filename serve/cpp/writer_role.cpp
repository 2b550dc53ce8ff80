
#include <thread>

#include "log.h"
#include "pattern.h"
#include "roles.h"
#include "text.h"

namespace zbserve {

using zerobuffer::ErrorCode;

namespace {

zerobuffer::Writer connect(const std::string& name, std::chrono::milliseconds budget) {
  zerobuffer::WriterOptions options;
  options.connect_timeout = budget;  // the library decides which failures are worth a retry
  return zerobuffer::Writer(name, options);
}

/// What writeFrames reports, in its result and in the data of its errors.
struct WriteProgress {
  std::uint64_t written = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;

  void add(std::uint64_t sequence, std::size_t size) {
    if (written == 0) first_sequence = sequence;
    last_sequence = sequence;
    ++written;
    bytes += size;
  }

  Json summary() const {
    return Json{{"written", written},
                {"firstSequence", first_sequence},
                {"lastSequence", last_sequence},
                {"bytes", bytes}};
  }
};

}  // namespace

WriterRole::WriterRole(const std::string& name, std::chrono::milliseconds budget)
    : writer_(connect(name, budget)) {}

MetadataWrite MetadataWrite::from(const Params& params) {
  MetadataWrite r;
  r.text = params.optional_string("text");
  const auto size = params.optional_uint("size");
  r.seed = params.seed_or_zero("seed");
  if (r.text.has_value() == size.has_value()) throw invalid_params("exactly one of 'text' and 'size' is required");
  r.size = size.value_or(r.text ? r.text->size() : 0);
  return r;
}

Json WriterRole::set_metadata(const MetadataWrite& request) {
  const auto& [text, size, seed] = request;
  if (text) {
    writer_.set_metadata(as_bytes(*text));
    return Json{{"size", text->size()}};
  }
  // Reserved first: the library refuses an impossible size before any pattern is built.
  const std::span<std::byte> target = writer_.get_metadata_buffer(static_cast<std::size_t>(size));
  pattern::fill(target, 0, seed);
  writer_.commit_metadata();
  return Json{{"size", size}};
}

std::uint64_t WriterRole::write_bytes(std::span<const std::byte> data, bool zero_copy) {
  if (!zero_copy) return writer_.write_frame(data);
  const std::span<std::byte> target = writer_.get_frame_buffer(data.size());
  std::copy(data.begin(), data.end(), target.begin());
  return writer_.commit_frame();
}

std::uint64_t WriterRole::write_pattern_frame(std::size_t size, std::uint8_t seed, bool zero_copy) {
  const std::uint64_t sequence = writer_.next_sequence();
  std::uint64_t written_as = 0;
  if (zero_copy || size > writer_.payload_size()) {
    // A frame larger than the ring can never fit; the zero-copy path lets the library say so
    // without a source buffer of that size being allocated first.
    const std::span<std::byte> target = writer_.get_frame_buffer(size);
    pattern::fill(target, sequence, seed);
    written_as = writer_.commit_frame();
  } else {
    if (scratch_.size() < size) scratch_.resize(size);
    const std::span<std::byte> source(scratch_.data(), size);
    pattern::fill(source, sequence, seed);
    written_as = writer_.write_frame(source);
  }
  if (written_as != sequence) {
    log(LogLevel::Error, "frame written as sequence " + std::to_string(written_as) + " but filled for sequence " +
                             std::to_string(sequence));
  }
  return written_as;
}

WriteRequest WriteRequest::from(const Params& params) {
  WriteRequest r;
  r.text = params.optional_string("text");
  const auto size = params.optional_uint("size");
  auto sizes = params.optional_uint_array("sizes");
  const int given = int(r.text.has_value()) + int(size.has_value()) + int(sizes.has_value());
  if (given != 1) throw invalid_params("exactly one of 'size', 'sizes' and 'text' is required");
  const auto count = params.optional_uint("count");
  r.seed = params.seed_or_zero("seed");
  r.zero_copy = params.bool_or("zeroCopy", r.zero_copy);
  r.delay = params.duration_or("delayMs", r.delay);
  r.timeout = params.duration_or("timeoutMs", r.timeout);
  if (r.text) {
    r.count = 1;  // a text frame ignores count, sizes and seed
  } else if (sizes) {
    r.sizes = std::move(*sizes);
    r.count = count.value_or(r.sizes.size());
  } else {
    r.sizes = {*size};
    r.count = count.value_or(1);
  }
  return r;
}

Json WriterRole::write_frames(const WriteRequest& request, const std::atomic<bool>& stop) {
  const auto& [text, frame_sizes, count, seed, zero_copy, delay, timeout] = request;
  writer_.set_write_timeout(timeout);
  const auto start = std::chrono::steady_clock::now();
  WriteProgress progress;
  try {
    for (std::uint64_t i = 0; i < count; ++i) {
      if (stop.load()) throw kind_error(ErrorCode::Internal, "interrupted by a signal");
      if (i > 0 && delay.count() > 0 && !interruptible_sleep(delay, stop)) {
        throw kind_error(ErrorCode::Internal, "interrupted by a signal");
      }
      if (text) {
        progress.add(write_bytes(as_bytes(*text), zero_copy), text->size());
      } else {
        const std::uint64_t frame_size = frame_sizes[i % frame_sizes.size()];
        progress.add(write_pattern_frame(static_cast<std::size_t>(frame_size), seed, zero_copy), frame_size);
      }
    }
  } catch (const zerobuffer::ZeroBufferException& e) {
    throw library_error(e, progress.summary());
  } catch (RpcError& e) {
    e.add_data(progress.summary());
    throw;
  }
  Json result = progress.summary();
  result["elapsedMs"] = elapsed_ms(start);
  return result;
}

void WriterRole::add_status(Json& status) const {
  status["framesWritten"] = writer_.frames_written();
  status["bytesWritten"] = writer_.bytes_written();
  status["peerConnected"] = writer_.is_reader_connected();
}

}  // namespace zbserve
