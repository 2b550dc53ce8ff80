#include "port_fuzz.hpp"

#include "leftovers.hpp"
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
          std::printf("fuzz %s as %s: PASS, %llu iterations, %llu calls, seed %llu\n", port.name.c_str(), side,
                      static_cast<unsigned long long>(o_.iterations), static_cast<unsigned long long>(calls_),
                      static_cast<unsigned long long>(o_.seed));
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
      default: {  // the metadata length prefix or bytes
        if (metadata_size < 8 || kOiebSize + 8 > size) break;
        view.write_uint(kOiebSize, 8, hostile_value(8, metadata_size));
        note("corrupt metadata length");
        break;
      }
    }
  }

  void one_iteration() {
    rng_.seed(o_.seed * 0x9E3779B97F4A7C15ULL + iteration_ + (side_ == std::string("writer") ? 1ULL << 32 : 0));
    trail_.clear();
    const std::string name = token_ + "-" + std::to_string(iteration_);
    const std::uint64_t payload_size = 256u << (rng_() % 5);
    const Reply created = call(reader(), "createReader", {{"name", name}, {"metadataSize", 64}, {"payloadSize", payload_size}});
    if (!created.ok()) throw Failure{"createReader failed on a fresh name: " + created.message.dump()};
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
          call(reader(), "readFrames", {{"count", 1 + rng_() % 3}, {"timeoutMs", kCallTimeoutMs}, {"hold", rng_() % 3 == 0}});
          break;
        case 4: call(reader(), rng_() % 2 ? "getMetadata" : "releaseFrames", json::object()); break;
        default: call(writer(), "status", json::object()); call(reader(), "status", json::object()); break;
      }
    }
    call(writer(), "close", json::object());
    call(reader(), "close", json::object());
    const auto left = find_leftovers({name}, name, lock_dir_);
    if (!left.empty()) throw Failure{"after both closed, left behind: " + left.front() + (left.size() > 1 ? " ..." : "")};
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
  Clock::time_point last_progress_ = Clock::now();
};

}  // namespace

int run_port_fuzz(const PortFuzzOptions& options) { return PortFuzz(options).run(); }

}  // namespace zbh
