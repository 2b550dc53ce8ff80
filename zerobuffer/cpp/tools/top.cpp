// `zerobuffer top`: live rates, fill and peer liveness from the OIEB counters.
//
// Frames per second come from payload_written_count (which also counts wrap markers). The OIEB
// has no byte counter, so bytes per second are the advance of payload_write_pos (frame headers
// and skipped tails included), sampled every millisecond: a writer that laps the whole ring within
// one sample is under-counted (with a 1 MiB ring that takes more than 1 GB/s).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "buffer_report.h"
#include "commands.h"
#include "exit_codes.h"
#include "signals.h"
#include "zerobuffer/error.h"
#include "zerobuffer/host.h"

namespace zbcli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSample = std::chrono::milliseconds(1);

struct Tracked {
  std::unique_ptr<zerobuffer::BufferView> view;
  std::uint64_t payload_size = 0;
  std::uint64_t last_count = 0;
  std::uint64_t last_pos = 0;
  std::uint64_t bytes = 0;  // write-position advance since the last refresh
};

struct Row {
  BufferReport report;
  double frames_per_s = 0;
  double mb_per_s = 0;
};

class Monitor {
 public:
  explicit Monitor(std::optional<std::string> name) : name_(std::move(name)) {}

  /// Re-discovers buffers (all, or the named one).
  void refresh_set() {
    std::vector<std::string> names;
    if (name_) {
      names.push_back(*name_);
    } else {
      names = zerobuffer::list_shared_memory();
    }
    std::map<std::string, Tracked> next;
    for (const std::string& n : names) {
      if (auto it = tracked_.find(n); it != tracked_.end()) {
        next.emplace(n, std::move(it->second));
        continue;
      }
      try {
        auto view = std::make_unique<zerobuffer::BufferView>(n);
        if (const zerobuffer::HeaderCheck check = view->check(); check.state != zerobuffer::HeaderState::Ok) {
          if (!name_) continue;  // not a usable buffer: `list` shows why
          throw zerobuffer::CorruptBufferException("buffer \"" + n + "\" is " +
                                                   std::string(zerobuffer::to_string(check.state)) + ": " +
                                                   check.problems.front());
        }
        Tracked t;
        const zerobuffer::Oieb o = view->oieb();
        t.payload_size = o.payload_size;
        t.last_count = o.payload_written_count;
        t.last_pos = o.payload_write_pos;
        t.view = std::move(view);
        next.emplace(n, std::move(t));
      } catch (const zerobuffer::ZeroBufferException&) {
        if (name_) throw;  // watching all: a buffer that vanished or cannot be read is skipped
      }
    }
    tracked_ = std::move(next);
  }

  void sample() {
    for (auto& [n, t] : tracked_) {
      const std::uint64_t pos = t.view->oieb().payload_write_pos;
      if (pos <= t.payload_size && t.last_pos <= t.payload_size) {
        t.bytes += (pos + t.payload_size - t.last_pos) % t.payload_size;
      }
      t.last_pos = pos;
    }
  }

  std::vector<Row> rows(double seconds) {
    std::vector<Row> out;
    for (auto& [n, t] : tracked_) {
      Row row{describe(*t.view)};
      const std::uint64_t count = row.report.oieb.payload_written_count;
      row.frames_per_s = static_cast<double>(count - t.last_count) / seconds;
      row.mb_per_s = static_cast<double>(t.bytes) / seconds / 1e6;
      t.last_count = count;
      t.bytes = 0;
      out.push_back(std::move(row));
    }
    return out;
  }

 private:
  std::optional<std::string> name_;
  std::map<std::string, Tracked> tracked_;
};

double unix_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void print_text(const std::vector<Row>& rows, bool clear) {
  if (clear) std::printf("\x1b[H\x1b[2J");
  std::printf("%-32s %-8s %12s %10s %7s %-8s %-8s\n", "NAME", "STATE", "FRAMES/S", "MB/S", "FILL", "READER", "WRITER");
  for (const Row& r : rows) {
    std::printf("%-32s %-8s %12.1f %10.2f %6.1f%% %-8s %-8s\n", r.report.name.c_str(), r.report.state.c_str(),
                r.frames_per_s, r.mb_per_s, r.report.fill_percent, r.report.reader_alive ? "alive" : "dead",
                r.report.writer_alive ? "alive" : "-");
  }
  std::fflush(stdout);
}

}  // namespace

int run_top(const TopOptions& options) {
  install_stop_handlers();
  Monitor monitor(options.name);
  monitor.refresh_set();
  const bool clear = !options.json && ::isatty(STDOUT_FILENO) == 1;
  const auto interval = std::chrono::milliseconds(options.interval_ms);
  for (int refresh = 0; options.count == 0 || refresh < options.count; ++refresh) {
    const auto start = Clock::now();
    const auto end = start + interval;
    while (Clock::now() < end) {
      if (stop_requested()) return kOk;
      std::this_thread::sleep_for(std::min<Clock::duration>(kSample, end - Clock::now()));
      monitor.sample();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const std::vector<Row> rows = monitor.rows(seconds);
    if (options.json) {
      const double now = unix_time();
      for (const Row& r : rows) {
        nlohmann::json j = to_json(r.report);
        j["time"] = now;
        j["frames_per_s"] = r.frames_per_s;
        j["mb_per_s"] = r.mb_per_s;
        std::cout << j.dump() << '\n' << std::flush;
      }
    } else {
      print_text(rows, clear);
    }
    if (std::ferror(stdout) != 0 || !std::cout) return kOk;  // the consumer went away
    monitor.refresh_set();
  }
  return kOk;
}

}  // namespace zbcli
