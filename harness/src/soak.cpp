#include "soak.hpp"

#include "leftovers.hpp"
#include "read_verdict.hpp"
#include "serve_client.hpp"
#include "shm_inspector.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <deque>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <set>

namespace zbh {
namespace {

using json = nlohmann::json;
using Millis = std::chrono::duration<double, std::milli>;
namespace fs = std::filesystem;

constexpr auto kDetectionLimit = std::chrono::milliseconds(1000);  // issue 12: the survivor knows within 1 s
constexpr auto kReplyLimit = std::chrono::seconds(10);             // any reply the soak waits for
// A serve's start-up (its hello): four Python serves starting at once on a loaded 2-core machine
// have taken more than 10 s.
constexpr auto kStartLimit = std::chrono::seconds(30);
constexpr auto kWrapSearch = std::chrono::milliseconds(1000);      // how long to wait for a wrap to kill after
constexpr int kRandomDelayMaxMs = 40;
constexpr std::uint64_t kPayloadSize = 16384;
// Each single wait of the streaming calls: longer than the detection limit, so a survivor that
// only notices a death when its wait ends fails the soak instead of passing by a timeout.
constexpr int kStreamTimeoutMs = 3000;
constexpr std::uint64_t kReadBatch = 32;
constexpr std::uint64_t kHeldFrames = 3;
constexpr std::uint64_t kEndlessCount = std::uint64_t{1} << 40;
// Serves started ahead of need per role: a restart then costs no start-up time (a Python serve
// takes a second to start on a loaded machine).
constexpr std::size_t kSpares = 2;

struct Failure {
  std::string what;
};

enum class Victim { writer, reader };
enum class Moment { random, after_wrap, held };
constexpr std::array kMoments = {Moment::random, Moment::after_wrap, Moment::held};

const char* name_of(Victim victim) { return victim == Victim::writer ? "writer" : "reader"; }
const char* name_of(Moment moment) {
  switch (moment) {
    case Moment::random: return "random";
    case Moment::after_wrap: return "after-wrap";
    case Moment::held: return "held";
  }
  return "?";
}

// A serve started ahead of need (its start-up is not on the soak's clock) and its hello.
struct Peer {
  std::unique_ptr<ServeClient> client;
  std::int64_t hello_id = 0;
  std::set<std::string> capabilities;
};

// What the reader of the current buffer must deliver next. Every frame of a writer session is
// consumed before the next session starts (the soak restarts a writer only after the reader
// reported WriterDead; a new reader is a new buffer), so one session is judged at a time.
struct Stream {
  bool expect_session_start = true;  // a writer session began: its first frame must be sequence 1
  std::uint64_t last_sequence = 0;
  std::uint64_t seed = 0;
  std::vector<std::uint64_t> sizes;  // frame n of the session has sizes[(n - 1) % sizes.size()] bytes
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.999999);
  return values[std::min(index, values.size() - 1)];
}

class Soak {
 public:
  explicit Soak(const SoakOptions& options)
      : o_(options),
        rng_(options.seed),
        token_("zbsoak-" + std::to_string(::getpid())),
        name_(token_ + "-buffer"),
        work_dir_(options.temp_root + "/" + token_),
        lock_dir_(work_dir_ + "/locks") {}

  int run() {
    const auto started = Clock::now();
    int status = 0;
    try {
      fs::create_directories(work_dir_);
      for (std::size_t i = 0; i < kSpares; ++i) {
        spare_writers_.push_back(spawn(o_.writer, "writer"));
        spare_readers_.push_back(spawn(o_.reader, "reader"));
      }
      reader_ = take(spare_readers_, o_.reader, "reader");
      open_reader();
      writer_ = take(spare_writers_, o_.writer, "writer");
      open_writer();
      // Reads start once the writer streams: a first read must not wait out a slow start-up.
      start_read(false);
      while (kills_ < o_.kills && !out_of_time(started)) {
        one_kill();
        progress(started);
      }
      finish();
    } catch (const Failure& failure) {
      report_failure(failure.what);
      status = 1;
    } catch (const std::exception& error) {
      report_failure(error.what());
      status = 1;
    }
    writer_.client.reset();
    reader_.client.reset();
    spare_writers_.clear();
    spare_readers_.clear();
    const auto left = find_leftovers({name_}, token_, lock_dir_);
    if (!left.empty()) {
      std::string list;
      for (const auto& path : left) list += " " + path;
      if (status == 0) report_failure("left behind after the soak:" + list);
      remove_paths(left);
      status = 1;
    }
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
    summary(started, status == 0);
    return status;
  }

 private:
  bool out_of_time(Clock::time_point started) const {
    return o_.seconds > 0 && Clock::now() - started >= std::chrono::duration<double>(o_.seconds);
  }

  Peer spawn(const Port& port, const char* role) {
    Peer peer;
    peer.client = std::make_unique<ServeClient>(std::string(role) + " (" + port.name + ")", port.command,
                                                std::map<std::string, std::string>{{"ZEROBUFFER_LOCK_DIR", lock_dir_}});
    peer.hello_id = peer.client->send("hello", json::object());
    return peer;
  }

  // The oldest spare becomes the active serve once its hello is answered; a new spare starts.
  Peer take(std::deque<Peer>& spares, const Port& port, const char* role) {
    Peer peer = std::move(spares.front());
    spares.pop_front();
    spares.push_back(spawn(port, role));
    const Reply hello = expect_ok(*peer.client, peer.hello_id, "hello", kStartLimit);
    for (const auto& capability : hello.body().value("capabilities", json::array())) {
      if (capability.is_string()) peer.capabilities.insert(capability.get<std::string>());
    }
    return peer;
  }

  Reply await(ServeClient& client, std::int64_t id, const std::string& what,
              std::chrono::seconds limit = kReplyLimit) {
    auto reply = client.await(id, Clock::now() + limit);
    if (!reply) {
      throw Failure{client.label() + " did not answer " + what + " within " + std::to_string(limit.count()) + " s (" +
                    client.process().exit_description() + ")"};
    }
    return *reply;
  }

  Reply expect_ok(ServeClient& client, std::int64_t id, const std::string& what,
                  std::chrono::seconds limit = kReplyLimit) {
    Reply reply = await(client, id, what, limit);
    if (!reply.ok()) throw Failure{client.label() + " " + what + " failed: " + reply.message.dump()};
    return reply;
  }

  Reply call(Peer& peer, const std::string& method, const json& params) {
    return expect_ok(*peer.client, peer.client->send(method, params), method);
  }

  void open_reader() {
    call(reader_, "createReader", {{"name", name_}, {"metadataSize", 0}, {"payloadSize", kPayloadSize}});
    stream_ = Stream{};
    ++buffers_;
  }

  void open_writer() {
    call(writer_, "connectWriter", {{"name", name_}, {"timeoutMs", 2000}});
    std::uniform_int_distribution<std::uint64_t> size(1, 3000);
    stream_.sizes.assign(1 + rng_() % 6, 0);
    for (auto& s : stream_.sizes) s = size(rng_);
    stream_.seed = rng_() % 251;
    stream_.expect_session_start = true;
    ++sessions_;
    json params = {{"sizes", stream_.sizes}, {"count", kEndlessCount}, {"seed", stream_.seed},
                   {"timeoutMs", kStreamTimeoutMs}};
    if (writer_.capabilities.count("zeroCopyWrite") && rng_() % 2 == 0) params["zeroCopy"] = true;
    writer_pending_ = writer_.client->send("writeFrames", params);
  }

  void start_read(bool hold) {
    json params = {{"count", hold ? kHeldFrames : kReadBatch}, {"timeoutMs", kStreamTimeoutMs}};
    if (hold) params["hold"] = true;
    reader_pending_ = reader_.client->send("readFrames", params);
  }

  // Every frame a reader reported: intact, the one expected next, and of the size written.
  void check_frames(const Reply& reply) {
    const json& frames = reply.body().value("frames", json::array());
    for (const auto& frame : frames) {
      const std::uint64_t sequence = frame.value("sequence", std::uint64_t{0});
      const std::uint64_t size = frame.value("size", std::uint64_t{0});
      if (stream_.expect_session_start ? sequence != 1 : sequence != stream_.last_sequence + 1) {
        throw Failure{"frame " + frame.dump() + " delivered, but sequence " +
                      std::to_string(stream_.expect_session_start ? 1 : stream_.last_sequence + 1) +
                      (stream_.expect_session_start ? " (a new writer session)" : "") + " was next" +
                      (sequence == 1 ? ": sequence 1 again without a new writer (a duplicate or a false restart)"
                                     : sequence <= stream_.last_sequence ? ": delivered twice" : ": frames lost")};
      }
      const std::uint64_t expected_size = stream_.sizes[(sequence - 1) % stream_.sizes.size()];
      if (size != expected_size) {
        throw Failure{"frame " + frame.dump() + " has size " + std::to_string(size) + ", the writer wrote " +
                      std::to_string(expected_size)};
      }
      if (frame.value("checksum", std::string()) != pattern_checksum(stream_.seed, sequence, size)) {
        throw Failure{"frame " + frame.dump() + " is corrupt: its checksum is not the pattern's (seed " +
                      std::to_string(stream_.seed) + ")"};
      }
      stream_.expect_session_start = false;
      stream_.last_sequence = sequence;
      ++frames_;
    }
  }

  // Keeps the stream flowing until `until`: answers the reader's replies with new reads. Any
  // error of either side while both live is a failure.
  void pump(Clock::time_point until) {
    do {
      if (auto early = writer_.client->next_reply(Clock::now())) {
        throw Failure{writer_.client->label() + " stopped streaming with both peers alive: " + early->message.dump()};
      }
      auto reply = reader_.client->await(reader_pending_, std::min(until, Clock::now() + std::chrono::milliseconds(1)));
      if (!reply) continue;
      check_frames(*reply);
      if (!reply->ok()) {
        throw Failure{reader_.client->label() + " failed with both peers alive: " + reply->message.dump()};
      }
      start_read(false);
    } while (Clock::now() < until);
  }

  // Streams until the writer wraps (its write position goes back), then returns at once.
  bool pump_until_wrap() {
    const ShmView view = ShmView::open(name_, false);
    std::uint64_t last = view.field("payloadWritePos");
    const auto deadline = Clock::now() + kWrapSearch;
    while (Clock::now() < deadline) {
      pump(Clock::now() + std::chrono::microseconds(200));
      const std::uint64_t position = view.field("payloadWritePos");
      if (position < last) return true;
      last = position;
    }
    return false;
  }

  // Lets the current read finish, then reads a few frames and keeps them held.
  void hold_frames() {
    const Reply reply = await(*reader_.client, reader_pending_, "readFrames");
    check_frames(reply);
    if (!reply.ok()) throw Failure{reader_.client->label() + " failed with both peers alive: " + reply.message.dump()};
    start_read(true);
    const Reply held = await(*reader_.client, reader_pending_, "readFrames (hold)");
    check_frames(held);
    if (!held.ok()) throw Failure{reader_.client->label() + " failed while holding frames: " + held.message.dump()};
    reader_pending_ = 0;
  }

  void one_kill() {
    const Victim victim = rng_() % 2 == 0 ? Victim::writer : Victim::reader;
    Moment moment = kMoments[rng_() % kMoments.size()];
    if (moment == Moment::held && !reader_.capabilities.count("holdFrames")) moment = Moment::random;
    const int delay_ms = static_cast<int>(rng_() % (kRandomDelayMaxMs + 1));
    current_ = std::string(name_of(victim)) + " at " + name_of(moment);

    pump(Clock::now() + std::chrono::milliseconds(moment == Moment::random ? delay_ms : 2));
    if (moment == Moment::after_wrap && !pump_until_wrap()) moment = Moment::random;
    if (moment == Moment::held) hold_frames();
    current_ = std::string(name_of(victim)) + " at " + name_of(moment);

    const auto killed_at = Clock::now();
    (victim == Victim::writer ? writer_ : reader_).client->process().kill_group();
    ++kills_;
    ++outcomes_[current_];
    const double detection = victim == Victim::writer ? reader_detects_writer_death(killed_at, moment == Moment::held)
                                                      : writer_detects_reader_death(killed_at);
    detections_[victim == Victim::writer ? 0 : 1].push_back(detection);
    if (o_.verbose) std::printf("kill %llu: %s, detected in %.1f ms\n", static_cast<unsigned long long>(kills_),
                                current_.c_str(), detection);
    if (detection > Millis(kDetectionLimit).count()) {
      throw Failure{std::string(victim == Victim::writer ? "the reader" : "the writer") + " noticed the death after " +
                    std::to_string(detection) + " ms (limit " + std::to_string(kDetectionLimit.count()) + " ms)"};
    }

    if (victim == Victim::writer) {
      writer_ = take(spare_writers_, o_.writer, "writer");
    } else {
      call(writer_, "close", json::object());
      reader_ = take(spare_readers_, o_.reader, "reader");
      open_reader();
    }
    open_writer();
    if (reader_pending_ == 0) start_read(false);
  }

  // After the writer's SIGKILL: the reader delivers what was committed, then reports WriterDead.
  double reader_detects_writer_death(Clock::time_point killed_at, bool holding) {
    if (holding) call(reader_, "releaseFrames", json::object());
    if (reader_pending_ == 0) start_read(false);
    for (;;) {
      const Reply reply = await(*reader_.client, reader_pending_, "readFrames after the writer's death");
      check_frames(reply);
      if (reply.ok()) {
        start_read(false);
        continue;
      }
      reader_pending_ = 0;
      if (reply.kind() != "WriterDead") {
        throw Failure{"after the writer's SIGKILL the reader answered " + reply.message.dump() + " instead of WriterDead"};
      }
      return Millis(reply.received - killed_at).count();
    }
  }

  // After the reader's SIGKILL: the writer's endless writeFrames ends with ReaderDead.
  double writer_detects_reader_death(Clock::time_point killed_at) {
    reader_pending_ = 0;
    const Reply reply = await(*writer_.client, writer_pending_, "writeFrames after the reader's death");
    writer_pending_ = 0;
    if (reply.kind() != "ReaderDead") {
      throw Failure{"after the reader's SIGKILL the writer answered " + reply.message.dump() + " instead of ReaderDead"};
    }
    return Millis(reply.received - killed_at).count();
  }

  // Ends the stream the way it is soaked (the writer dies), then closes everything gracefully.
  void finish() {
    current_ = "the end";
    writer_.client->process().kill_group();
    reader_detects_writer_death(Clock::now(), false);
    call(reader_, "shutdown", json::object());
    std::vector<Peer*> peers = {&reader_};
    for (auto& spare : spare_writers_) peers.push_back(&spare);
    for (auto& spare : spare_readers_) peers.push_back(&spare);
    for (auto* peer : peers) {
      peer->client->process().close_stdin();
      const auto code = peer->client->process().wait_exit(Clock::now() + kReplyLimit);
      if (!code || *code != 0) {
        throw Failure{peer->client->label() + " did not exit cleanly: " + peer->client->process().exit_description()};
      }
    }
  }

  void progress(Clock::time_point started) {
    const auto now = Clock::now();
    if (now - last_progress_ < std::chrono::seconds(5)) return;
    last_progress_ = now;
    std::printf("soak %s->%s: %llu kills, %llu frames, %.0f s\n", o_.writer.name.c_str(), o_.reader.name.c_str(),
                static_cast<unsigned long long>(kills_), static_cast<unsigned long long>(frames_),
                std::chrono::duration<double>(now - started).count());
    std::fflush(stdout);
  }

  void report_failure(const std::string& what) {
    std::printf("FAIL soak %s->%s, seed %llu, kill %llu (%s): %s\n", o_.writer.name.c_str(), o_.reader.name.c_str(),
                static_cast<unsigned long long>(o_.seed), static_cast<unsigned long long>(kills_), current_.c_str(),
                what.c_str());
    for (auto* peer : {&writer_, &reader_}) {
      if (!peer->client) continue;
      const std::string text = peer->client->process().stderr_text();
      if (!text.empty()) {
        std::printf("--- stderr of %s (last 2000 bytes)\n%s\n", peer->client->label().c_str(),
                    text.substr(text.size() > 2000 ? text.size() - 2000 : 0).c_str());
      }
    }
    std::printf("rerun: %s\n(victims, moments and sizes follow the seed; process timing does not)\n",
                o_.command_line.c_str());
  }

  void summary(Clock::time_point started, bool passed) {
    std::printf("soak %s->%s: %s, %llu kills in %.1f s, seed %llu\n", o_.writer.name.c_str(), o_.reader.name.c_str(),
                passed ? "PASS" : "FAIL", static_cast<unsigned long long>(kills_),
                std::chrono::duration<double>(Clock::now() - started).count(),
                static_cast<unsigned long long>(o_.seed));
    for (const auto& [what, count] : outcomes_) std::printf("  %-22s %llu\n", what.c_str(), static_cast<unsigned long long>(count));
    const char* labels[] = {"writer killed -> reader WriterDead", "reader killed -> writer ReaderDead"};
    for (int side = 0; side < 2; ++side) {
      const auto& values = detections_[side];
      std::printf("  %s: %zu, detection p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", labels[side], values.size(),
                  percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0));
    }
    std::printf("  frames verified (intact, once, in order): %llu; writer sessions %llu; buffers %llu\n",
                static_cast<unsigned long long>(frames_), static_cast<unsigned long long>(sessions_),
                static_cast<unsigned long long>(buffers_));
  }

  const SoakOptions& o_;
  std::mt19937_64 rng_;
  std::string token_;
  std::string name_;
  std::string work_dir_;
  std::string lock_dir_;
  Peer writer_, reader_;
  std::deque<Peer> spare_writers_, spare_readers_;
  std::int64_t writer_pending_ = 0;
  std::int64_t reader_pending_ = 0;
  Stream stream_;
  std::string current_ = "start";
  std::uint64_t kills_ = 0, frames_ = 0, sessions_ = 0, buffers_ = 0;
  std::map<std::string, std::uint64_t> outcomes_;
  std::array<std::vector<double>, 2> detections_;
  Clock::time_point last_progress_ = Clock::now();
};

}  // namespace

int run_soak(const SoakOptions& options) { return Soak(options).run(); }

}  // namespace zbh
