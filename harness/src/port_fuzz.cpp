#include "port_fuzz.hpp"

#include "fuzz_oracle.hpp"
#include "leftovers.hpp"
#include "read_verdict.hpp"
#include "scenario_model.hpp"
#include "serve_client.hpp"
#include "shm_inspector.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>

namespace zbh {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int kCallTimeoutMs = 10;                       // timeoutMs of reads and writes: calls end fast
constexpr auto kAnswerSlack = std::chrono::seconds(2);   // a serve answers within timeoutMs + this
constexpr auto kStartLimit = std::chrono::seconds(30);   // start-up of a serve (hello), under load
constexpr int kStepsPerIteration = 8;

struct Failure {
  std::string what;
};

// A serve kept across iterations (start-up is slow); restarted only after a failure ends the run.
struct Serve {
  std::unique_ptr<ServeClient> client;
  const Port* port = nullptr;
};

class PortFuzz {
 public:
  explicit PortFuzz(const PortFuzzOptions& options)
      : o_(options),
        token_("zbfuzz-" + std::to_string(::getpid())),
        work_dir_(options.temp_root + "/" + token_),
        lock_dir_(work_dir_ + "/locks") {}

  int run() {
    const auto started = Clock::now();
    int status = 0;
    std::uint64_t total = 0;
    fs::create_directories(work_dir_);
    for (const auto& port : o_.ports) {
      for (const char* side : {"reader", "writer"}) {
        if (o_.side != "both" && o_.side != side) continue;
        port_ = &port;
        side_ = side;
        try {
          under_test_ = start(port, std::string(side) + " (" + port.name + ", under test)");
          peer_ = start(o_.peer, std::string(side == std::string("reader") ? "writer" : "reader") + " (" +
                                     o_.peer.name + ", peer)");
          for (iteration_ = o_.first; iteration_ < o_.first + o_.iterations; ++iteration_) {
            one_iteration();
            ++total;
            progress(started, total);
          }
          stop(under_test_);
          stop(peer_);
          std::printf("fuzz %s as %s: PASS, %llu iterations, %llu calls, seed %llu; judged: %llu hostile connects "
                      "(%llu refused as due), %llu writes and metadata, %llu getMetadata\n",
                      port.name.c_str(), side, static_cast<unsigned long long>(o_.iterations),
                      static_cast<unsigned long long>(calls_), static_cast<unsigned long long>(o_.seed),
                      static_cast<unsigned long long>(judged_.connects), static_cast<unsigned long long>(judged_.refused),
                      static_cast<unsigned long long>(judged_.writes), static_cast<unsigned long long>(judged_.metadata));
        } catch (const Failure& failure) {
          report_failure(failure.what);
          status = 1;
        } catch (const std::exception& error) {
          report_failure(error.what());
          status = 1;
        }
        under_test_.client.reset();
        peer_.client.reset();
        calls_ = 0;
        judged_ = {};
        if (status != 0) break;
      }
      if (status != 0) break;
    }
    const auto left = find_leftovers({}, token_, lock_dir_);
    if (!left.empty()) {
      std::string list;
      for (const auto& path : left) list += " " + path;
      if (status == 0) std::printf("FAIL fuzz: left behind:%s\n", list.c_str());
      remove_paths(left);
      status = 1;
    }
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
    std::printf("fuzz: %s, %llu iterations in %.1f s\n", status == 0 ? "PASS" : "FAIL",
                static_cast<unsigned long long>(total), std::chrono::duration<double>(Clock::now() - started).count());
    return status;
  }

 private:
  Serve start(const Port& port, const std::string& label) {
    Serve serve{std::make_unique<ServeClient>(label, port.command,
                                              std::map<std::string, std::string>{{"ZEROBUFFER_LOCK_DIR", lock_dir_}}),
                &port};
    const auto id = serve.client->send("hello", json::object());
    if (!serve.client->await(id, Clock::now() + kStartLimit)) throw Failure{label + " did not answer hello"};
    return serve;
  }

  void stop(Serve& serve) {
    const auto id = serve.client->send("shutdown", json::object());
    serve.client->await(id, Clock::now() + kStartLimit);
    const auto code = serve.client->process().wait_exit(Clock::now() + kStartLimit);
    if (!code || *code != 0) throw Failure{serve.client->label() + " did not exit cleanly after shutdown"};
  }

  // One call; the answer must come in time and be a result or a library error of the closed list.
  Reply call(Serve& serve, const std::string& method, const json& params) {
    ++calls_;
    last_call_ = serve.client->label() + " " + method + " " + params.dump();
    std::int64_t id = 0;
    try {
      id = serve.client->send(method, params);
    } catch (const ProcessError&) {
      serve.client->process().wait_exit(Clock::now() + kAnswerSlack);
      throw Failure{serve.client->label() + " died (" + serve.client->process().exit_description() + ")"};
    }
    const int timeout_ms = params.value("timeoutMs", 0);
    const int count = params.value("count", 1);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms) * std::max(count, 1) + kAnswerSlack;
    auto reply = serve.client->await(id, deadline);
    if (!reply) {
      // Its stdout ended: it is exiting or gone; let it finish so the report says how it ended.
      if (serve.client->process().stdout_ended()) serve.client->process().wait_exit(Clock::now() + kAnswerSlack);
      throw Failure{serve.client->process().running()
                        ? serve.client->label() + " did not answer within its deadline"
                        : serve.client->label() + " died (" + serve.client->process().exit_description() + ")"};
    }
    if (!reply->ok()) {
      const json& error = reply->message.value("error", json::object());
      const auto& kinds = vocab::error_kinds();
      if (error.value("code", 0) != -32000 || std::find(kinds.begin(), kinds.end(), reply->kind()) == kinds.end()) {
        throw Failure{serve.client->label() + " answered with an error outside the closed list: " +
                      reply->message.dump().substr(0, 600)};
      }
    } else if (!reply->message.at("result").is_object()) {
      throw Failure{serve.client->label() + " answered a result that is not an object: " + reply->message.dump()};
    }
    if (o_.verbose) std::printf("  %s -> %s\n", last_call_.c_str(), reply->message.dump().substr(0, 200).c_str());
    return *reply;
  }

  Serve& reader() { return side_ == std::string("reader") ? under_test_ : peer_; }
  Serve& writer() { return side_ == std::string("reader") ? peer_ : under_test_; }

  // A value likely to break a parser: the edges of the field's range, the buffer's own sizes
  // and their neighbours, or anything.
  std::uint64_t hostile_value(std::size_t width, std::uint64_t object_size) {
    const std::uint64_t max = width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
    const std::uint64_t picks[] = {0, 1, max, max - 1, object_size, object_size - 1, object_size + 1, 16, 128,
                                   rng_() % (object_size + 64), rng_()};
    return picks[rng_() % std::size(picks)] & max;
  }

  void corrupt(const std::string& name) {
    ShmView view = ShmView::open(name, true);
    corrupted_ = true;
    const std::uint64_t size = view.size();
    const std::uint64_t metadata_size = view.field("metadataSize");
    const std::uint64_t payload_base = std::min<std::uint64_t>(kOiebSize + metadata_size, size);
    switch (rng_() % 4) {
      case 0: {  // an OIEB field
        const auto& field = kOiebFields[rng_() % std::size(kOiebFields)];
        const std::uint64_t value = hostile_value(field.width, size);
        view.write_uint(field.offset, field.width, value);
        note("corrupt " + std::string(field.name) + " = " + std::to_string(value));
        break;
      }
      case 1: {  // the next frame header (or a wrap marker: size or sequence 0)
        std::uint64_t at = payload_base;
        try {
          at = view.resolve(Location{Location::Base::frame, 0});
        } catch (const ShmError&) {
          // The OIEB is already too damaged to say where the next frame is: hit the ring's start.
        }
        const std::uint64_t offset = (rng_() % 2) * 8;
        const std::uint64_t value = rng_() % 3 == 0 ? 0 : hostile_value(8, size);
        if (at + offset + 8 <= size) view.write_uint(at + offset, 8, value);
        note("corrupt frame+" + std::to_string(offset) + " = " + std::to_string(value));
        break;
      }
      case 2: {  // random bytes anywhere in the ring
        if (size <= payload_base) break;
        const std::uint64_t at = payload_base + rng_() % (size - payload_base);
        view.write_bytes(at, {static_cast<std::uint8_t>(rng_())});
        note("corrupt byte " + std::to_string(at));
        break;
      }
      default: {  // the metadata length prefix or metadata_written_bytes, then often a getMetadata
        if (metadata_size < 8 || kOiebSize + 8 > size) break;
        const std::uint64_t written = view.field("metadataWrittenBytes");
        if (rng_() % 4 == 0) {
          const std::uint64_t value = hostile_value(8, metadata_size);
          view.write_uint(kOiebFields[7].offset, 8, value);
          note("corrupt metadataWrittenBytes = " + std::to_string(value));
        } else {
          // Half the time a length between what was written and the block's end: the reader must
          // compare it with metadata_written_bytes, not with the block (meta.corrupt-length).
          const std::uint64_t stored = written >= 8 ? written - 8 : 0;
          const std::uint64_t value = rng_() % 2 && metadata_size > stored + 8
                                          ? stored + 1 + rng_() % (metadata_size - 8 - stored)
                                          : hostile_value(8, metadata_size);
          view.write_uint(kOiebSize, 8, value);
          note("corrupt metadata length = " + std::to_string(value));
        }
        if (rng_() % 2) get_metadata(name);
        break;
      }
    }
  }

  // getMetadata, judged: the answer must be what the block holds now (meta.read-empty,
  // meta.read-content) or Corrupt where meta.corrupt-length says so.
  void get_metadata(const std::string& name) {
    const MetadataTruth truth = stored_metadata(ShmView::open(name, false), reader_metadata_size_);
    const Reply reply = call(reader(), "getMetadata", json::object());
    ++judged_.metadata;
    if (!truth.error.empty()) {
      if (reply.kind() != truth.error) {
        throw Failure{reader().client->label() + " answered getMetadata with " + reply.message.dump().substr(0, 300) +
                      " where the stored metadata is " + truth.error + " (rule meta.corrupt-length)"};
      }
    } else if (!reply.ok() || reply.body().value("size", std::uint64_t{0}) != truth.size ||
               reply.body().value("checksum", std::string()) != truth.checksum) {
      throw Failure{reader().client->label() + " answered getMetadata with " + reply.message.dump().substr(0, 300) +
                    " where the block holds " + std::to_string(truth.size) + " bytes, checksum " + truth.checksum};
    }
  }

  // readFrames, judged: no frame may claim more bytes than the reader's ring holds
  // (read.frame-bounds), and before the first corruption of the iteration every frame must be
  // the one the writer wrote (pattern of seed 0, its sequence and size).
  void read_frames(const json& params) {
    const Reply reply = call(reader(), "readFrames", params);
    const json& frames = reply.body().value("frames", json::array());
    for (const auto& frame : frames) {
      const std::uint64_t size = frame.value("size", std::uint64_t{0});
      const std::uint64_t sequence = frame.value("sequence", std::uint64_t{0});
      if (size + kFrameHeaderSize > reader_payload_size_) {
        throw Failure{reader().client->label() + " returned a frame of " + std::to_string(size) +
                      " bytes from a ring of " + std::to_string(reader_payload_size_) + " (rule read.frame-bounds)"};
      }
      if (!corrupted_ && frame.value("checksum", std::string()) != pattern_checksum(0, sequence, size)) {
        throw Failure{reader().client->label() + " returned " + frame.dump() +
                      " before any corruption, which is not the frame the writer wrote"};
      }
    }
  }

  void one_iteration() {
    rng_.seed(o_.seed * 0x9E3779B97F4A7C15ULL + iteration_ + (side_ == std::string("writer") ? 1ULL << 32 : 0));
    trail_.clear();
    corrupted_ = false;
    const std::string name = token_ + "-" + std::to_string(iteration_);
    const std::uint64_t payload_size = 256u << (rng_() % 5);
    const Reply created = call(reader(), "createReader", {{"name", name}, {"metadataSize", 64}, {"payloadSize", payload_size}});
    if (!created.ok()) throw Failure{"createReader failed on a fresh name: " + created.message.dump()};
    {
      const ShmView view = ShmView::open(name, false);
      reader_metadata_size_ = view.field("metadataSize");
      reader_payload_size_ = view.field("payloadSize");
    }
    if (side_ == std::string("writer") && rng_() % 2) {
      hostile_connect(name);
    } else {
      random_steps(name, payload_size);
    }
    call(writer(), "close", json::object());
    call(reader(), "close", json::object());
    const auto left = find_leftovers({name}, name, lock_dir_);
    if (!left.empty()) throw Failure{"after both closed, left behind: " + left.front() + (left.size() > 1 ? " ..." : "")};
  }

  // Both sides connected to a sound buffer, then seeded random calls and corruptions.
  void random_steps(const std::string& name, std::uint64_t payload_size) {
    const Reply connected = call(writer(), "connectWriter", {{"name", name}, {"timeoutMs", 1000}});
    if (!connected.ok()) throw Failure{"connectWriter failed on a fresh buffer: " + connected.message.dump()};
    if (rng_() % 2) call(writer(), "setMetadata", {{"size", rng_() % 40}, {"seed", rng_() % 251}});
    for (int step = 0; step < kStepsPerIteration; ++step) {
      switch (rng_() % 6) {
        case 0:
        case 1: corrupt(name); break;
        case 2:
          call(writer(), "writeFrames", {{"size", 1 + rng_() % (payload_size / 2)}, {"count", 1 + rng_() % 4},
                                         {"timeoutMs", kCallTimeoutMs}, {"zeroCopy", rng_() % 2 == 0}});
          break;
        case 3:
          read_frames({{"count", 1 + rng_() % 3}, {"timeoutMs", kCallTimeoutMs}, {"hold", rng_() % 3 == 0}});
          break;
        case 4:
          if (rng_() % 2) {
            get_metadata(name);
          } else {
            call(reader(), "releaseFrames", json::object());
          }
          break;
        default: call(writer(), "status", json::object()); call(reader(), "status", json::object()); break;
      }
    }
  }

  // The writer under test connects to an OIEB the harness made hostile first (one field), and
  // every answer is judged: connect must fail with the kind §2.2 names when a check fails
  // (and leave writer_pid alone), and succeed otherwise; then metadata and frames must land
  // where that OIEB says (fuzz_oracle). The peer reader does not read meanwhile.
  void hostile_connect(const std::string& name) {
    ShmView view = ShmView::open(name, true);
    corrupt_before_connect(view);
    const auto due = connect_errors(view);
    WriterModel model(view);
    const Reply connected = call(writer(), "connectWriter", {{"name", name}, {"timeoutMs", kCallTimeoutMs}});
    const std::string label = writer().client->label();
    ++judged_.connects;
    if (!due.empty()) {
      ++judged_.refused;
      std::string kinds;
      for (const auto& kind : due) kinds += (kinds.empty() ? "" : " or ") + kind;
      if (connected.ok()) {
        throw Failure{label + " connected to an OIEB that docs/protocol.md §2.2 rejects (" + kinds +
                      " was due, rules trust.*)"};
      }
      if (std::find(due.begin(), due.end(), connected.kind()) == due.end()) {
        throw Failure{label + " refused the hostile OIEB with " + connected.kind() + " where " + kinds + " was due"};
      }
      if (const auto pid = view.field("writerPid"); pid != 0) {
        throw Failure{"a failed connect left writer_pid " + std::to_string(pid) + " (rule connect.claim-last)"};
      }
      return;
    }
    if (!connected.ok()) {
      throw Failure{label + " refused an OIEB that passes every check of docs/protocol.md §2.2: " +
                    connected.message.dump().substr(0, 300)};
    }
    if (rng_() % 2) {
      const std::uint64_t size = rng_() % 72;
      const std::uint64_t seed = rng_() % 251;
      const std::string error = set_metadata_error(view, size);
      const Reply reply = call(writer(), "setMetadata", {{"size", size}, {"seed", seed}});
      ++judged_.writes;
      if (reply.kind() != error || (error.empty() && !reply.ok())) {
        throw Failure{label + " answered setMetadata of " + std::to_string(size) + " bytes with " +
                      reply.message.dump().substr(0, 300) + " where " + (error.empty() ? "success" : error) +
                      " was due (rules meta.write-once, meta.too-large)"};
      }
      if (error.empty()) fail_on(check_metadata_written(view, size, seed), "setMetadata");
    }
    const std::uint64_t writes = 1 + rng_() % 4;
    for (std::uint64_t i = 0; i < writes; ++i) {
      const std::uint64_t ring = view.field("payloadSize");
      const std::uint64_t tail = model.space_to_end();
      const std::uint64_t picks[] = {1 + rng_() % std::max<std::uint64_t>(ring / 2, 1),
                                     1 + rng_() % ring,
                                     ring - 16,
                                     ring - 15,
                                     1,
                                     tail - 16,  // fills the tail exactly (or, below 1, a short tail)
                                     tail - 15}; // one byte more: wraps
      // At most one byte too many for the ring: a serve builds the pattern before it writes.
      const std::uint64_t size = std::clamp<std::uint64_t>(picks[rng_() % std::size(picks)], 1, ring + 1);
      const std::uint64_t seed = rng_() % 251;
      const auto placement = model.place(size);
      const std::uint64_t sequence = model.next_sequence();
      const Reply reply = call(writer(), "writeFrames", {{"size", size}, {"seed", seed}, {"timeoutMs", kCallTimeoutMs},
                                                         {"zeroCopy", rng_() % 2 == 0}});
      ++judged_.writes;
      if (!placement.error.empty()) {
        if (reply.kind() != placement.error) {
          throw Failure{label + " answered writeFrames of " + std::to_string(size) + " bytes with " +
                        reply.message.dump().substr(0, 300) + " where " + placement.error + " was due (§4.1)"};
        }
        fail_on(model.check_unchanged(view), "a refused writeFrames");
        continue;
      }
      if (!reply.ok() || reply.body().value("firstSequence", std::uint64_t{0}) != sequence) {
        throw Failure{label + " answered writeFrames of " + std::to_string(size) + " bytes with " +
                      reply.message.dump().substr(0, 300) + " where frame " + std::to_string(sequence) +
                      " fits at ring offset " + std::to_string(placement.start) + " (§4.1)"};
      }
      fail_on(model.check_and_advance(view, placement, size, seed), "writeFrames");
    }
  }

  // One OIEB field set to a value at or near the edges §2.2 draws, before the writer connects.
  void corrupt_before_connect(ShmView& view) {
    const std::uint64_t object = view.size();
    const std::uint64_t metadata = view.field("metadataSize");
    const std::uint64_t ring = view.field("payloadSize");
    if (rng_() % 4 == 0) {
      // A sound position in the ring, often close to its end: where a writer resumes after a
      // predecessor, and the only way frames wrap while the reader stays idle.
      const std::uint64_t position = rng_() % 2 ? rng_() % (ring + 1) : ring - rng_() % 24;
      view.write_uint(find_oieb_field("payloadWritePos")->offset, 8, position);
      note("before connectWriter: payloadWritePos = " + std::to_string(position));
      return;
    }
    // Each field with the values on the edges of its own check (two thirds of the time), the
    // fields §2.2 checks twice as often as the others.
    struct Target {
      std::string_view field;
      std::vector<std::uint64_t> edges;
    };
    const std::uint64_t fits_payload = object - kOiebSize - metadata;  // the largest payload_size that fits
    const std::uint64_t fits_metadata = object - kOiebSize - ring;
    const std::uint64_t overflow = ~std::uint64_t{0} - 127;             // 128 + it wraps around
    const Target targets[] = {
        {"oiebSize", {0, 127, 129}},
        {"oiebSize", {0, 127, 129}},
        {"versionMajor", {0, 2, 255}},
        {"versionMajor", {0, 2, 255}},
        {"versionMinor", {1, 255}},
        {"versionReserved", {1, 255}},
        {"metadataSize", {0, fits_metadata, fits_metadata + 1, overflow}},
        {"metadataSize", {0, fits_metadata, fits_metadata + 1, overflow}},
        {"payloadSize", {0, ring - 1, fits_payload, fits_payload + 1, overflow}},
        {"payloadSize", {0, ring - 1, fits_payload, fits_payload + 1, overflow}},
        {"payloadWritePos", {ring, ring + 1, ~std::uint64_t{0}}},
        {"payloadWritePos", {ring, ring + 1, ~std::uint64_t{0}}},
        {"payloadFreeBytes", {0, ring - 1, ring + 1, ~std::uint64_t{0}}},
        {"payloadFreeBytes", {0, ring - 1, ring + 1, ~std::uint64_t{0}}},
        {"metadataWrittenBytes", {8, metadata, metadata + 1}},
        {"metadataFreeBytes", {0, metadata + 1}},
        {"payloadReadPos", {ring, ring + 1, ~std::uint64_t{0}}},
        {"payloadWrittenCount", {1, ~std::uint64_t{0}}},
        {"payloadReadCount", {1, ~std::uint64_t{0}}},
        {"reserved1", {1, ~std::uint64_t{0}}},
    };
    const Target& target = targets[rng_() % std::size(targets)];
    const auto field = *find_oieb_field(target.field);
    const std::uint64_t max = field.width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * field.width)) - 1;
    const std::uint64_t value = (rng_() % 3 != 0 ? target.edges[rng_() % target.edges.size()]
                                                  : hostile_value(field.width, object)) & max;
    view.write_uint(field.offset, field.width, value);
    note("before connectWriter: " + std::string(field.name) + " = " + std::to_string(value));
  }

  void fail_on(const std::vector<std::string>& problems, const std::string& after) {
    if (problems.empty()) return;
    std::string text;
    for (const auto& problem : problems) text += "\n  " + problem;
    throw Failure{writer().client->label() + ": the shared memory after " + after + " is not what §3/§4.1 say:" + text};
  }

  void note(const std::string& text) {
    trail_.push_back(text);
    if (o_.verbose) std::printf("  %s\n", text.c_str());
  }

  void progress(Clock::time_point started, std::uint64_t total) {
    const auto now = Clock::now();
    if (now - last_progress_ < std::chrono::seconds(5)) return;
    last_progress_ = now;
    std::printf("fuzz %s as %s: iteration %llu, %llu in all, %.0f s\n", port_->name.c_str(), side_,
                static_cast<unsigned long long>(iteration_), static_cast<unsigned long long>(total),
                std::chrono::duration<double>(now - started).count());
    std::fflush(stdout);
  }

  void report_failure(const std::string& what) {
    std::printf("FAIL fuzz %s as %s, seed %llu, iteration %llu: %s\n  last call: %s\n", port_->name.c_str(), side_,
                static_cast<unsigned long long>(o_.seed), static_cast<unsigned long long>(iteration_), what.c_str(),
                last_call_.c_str());
    for (const auto& line : trail_) std::printf("  earlier in the iteration: %s\n", line.c_str());
    if (under_test_.client) {
      const std::string text = under_test_.client->process().stderr_text();
      std::printf("--- stderr of the port (last 2000 bytes)\n%s\n", text.substr(text.size() > 2000 ? text.size() - 2000 : 0).c_str());
    }
    std::printf("rerun: %s, with --from %llu --iterations 1 --side %s in place of those options\n", o_.command_line.c_str(),
                static_cast<unsigned long long>(iteration_), side_);
  }

  const PortFuzzOptions& o_;
  std::string token_;
  std::string work_dir_;
  std::string lock_dir_;
  std::mt19937_64 rng_;
  const Port* port_ = nullptr;
  const char* side_ = "";
  Serve under_test_, peer_;
  std::uint64_t iteration_ = 0;
  std::uint64_t calls_ = 0;
  std::string last_call_;
  std::vector<std::string> trail_;
  struct Judged {
    std::uint64_t connects = 0, refused = 0, writes = 0, metadata = 0;
  } judged_;
  bool corrupted_ = false;                  // the harness changed the shared memory in this iteration
  std::uint64_t reader_metadata_size_ = 0;  // the reader's own sizes, as it created the buffer
  std::uint64_t reader_payload_size_ = 0;
  Clock::time_point last_progress_ = Clock::now();
};

}  // namespace

int run_port_fuzz(const PortFuzzOptions& options) { return PortFuzz(options).run(); }

}  // namespace zbh
