#include <unistd.h>

#include <algorithm>
#include <thread>

#include "checksum.h"
#include "log.h"
#include "roles.h"
#include "text.h"

namespace zbserve {

using zerobuffer::ErrorCode;

bool interruptible_sleep(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  constexpr std::chrono::milliseconds kSlice(100);
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (!stop.load()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline - now, kSlice));
  }
  return false;
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

ReaderRole::ReaderRole(const std::string& name, const zerobuffer::BufferConfig& config) : reader_(name, config) {}

Json ReaderRole::created() const {
  return Json{{"metadataSize", reader_.metadata_size()},
              {"payloadSize", reader_.payload_size()},
              {"mode", reader_.mode()},
              {"pid", ::getpid()}};
}

Json ReaderRole::get_metadata() const {
  const std::span<const std::byte> metadata = reader_.get_metadata();
  Json result{{"size", metadata.size()}, {"checksum", zbchecksum::checksum(metadata)}};
  if (is_valid_utf8(metadata)) result["text"] = to_string(metadata);
  return result;
}

namespace {

/// Frames up to this size also report their bytes as `text` when they are valid UTF-8.
constexpr std::size_t kMaxTextFrame = 1024;

/// What readFrames reports, in its result and in the data of its errors: what the reader got,
/// frame by frame. Judging it is the client's business.
struct ReadProgress {
  std::uint64_t read = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  Json frames = Json::array();

  void add(std::uint64_t sequence, std::span<const std::byte> data) {
    if (read == 0) first_sequence = sequence;
    last_sequence = sequence;
    ++read;
    bytes += data.size();
    Json entry{{"sequence", sequence}, {"size", data.size()}, {"checksum", zbchecksum::checksum(data)}};
    if (data.size() <= kMaxTextFrame && is_valid_utf8(data)) entry["text"] = to_string(data);
    frames.push_back(std::move(entry));
  }

  Json summary() const {
    return Json{{"read", read},
                {"bytes", bytes},
                {"firstSequence", first_sequence},
                {"lastSequence", last_sequence},
                {"frames", frames}};
  }
};

}  // namespace

ReadRequest ReadRequest::from(const Params& params) {
  ReadRequest r;
  r.count = params.uint_or("count", r.count);
  r.timeout = params.duration_or("timeoutMs", r.timeout);
  r.delay = params.duration_or("delayMs", r.delay);
  r.hold = params.bool_or("hold", r.hold);
  r.until_writer_gone = params.bool_or("untilWriterGone", r.until_writer_gone);
  return r;
}

Json ReaderRole::read_frames(const ReadRequest& request, const std::atomic<bool>& stop) {
  const auto& [count, timeout, delay, hold, until_writer_gone] = request;
  const auto start = std::chrono::steady_clock::now();
  ReadProgress progress;
  bool writer_gone = false;
  try {
    while (until_writer_gone || progress.read < count) {
      if (stop.load()) throw kind_error(ErrorCode::Internal, "interrupted by a signal");
      zerobuffer::Frame frame;
      try {
        // One library call with the full timeout (docs/serve-protocol.md, rule serve.full-timeout):
        // how soon a dead writer is noticed is the library's behaviour, not the serve's.
        frame = reader_.read_frame(timeout);
      } catch (const zerobuffer::WriterDeadException&) {
        if (!until_writer_gone) throw;
        writer_gone = true;
        break;
      }
      if (!frame) {
        throw kind_error(ErrorCode::Timeout, "no frame within " + std::to_string(timeout.count()) + " ms");
      }
      progress.add(frame.sequence(), frame.data());
      if (delay.count() > 0 && !interruptible_sleep(delay, stop)) {
        throw kind_error(ErrorCode::Internal, "interrupted by a signal");
      }
      if (hold) held_.push_back(std::move(frame));
    }
  } catch (const zerobuffer::ZeroBufferException& e) {
    throw library_error(e, progress.summary());
  } catch (RpcError& e) {
    e.add_data(progress.summary());
    throw;
  }
  Json result = progress.summary();
  result["elapsedMs"] = elapsed_ms(start);
  if (writer_gone) result["writerGone"] = true;
  return result;
}

std::uint64_t ReaderRole::release(std::optional<std::uint64_t> count) noexcept {
  std::uint64_t released = 0;
  while (!held_.empty() && (!count || released < *count)) {
    held_.pop_front();  // the Frame's destructor returns its space
    ++released;
  }
  return released;
}

void ReaderRole::add_status(Json& status) const {
  status["framesRead"] = reader_.frames_read();
  status["bytesRead"] = reader_.bytes_read();
  status["peerConnected"] = reader_.is_writer_connected();
}

void ReaderRole::close() noexcept {
  held_.clear();
  reader_.close();
}

}  // namespace zbserve
