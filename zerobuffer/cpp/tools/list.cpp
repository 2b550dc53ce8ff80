// `zerobuffer list`: every shared memory object that could be a buffer, with its state.
#include <cstdio>
#include <iostream>

#include "buffer_report.h"
#include "commands.h"
#include "exit_codes.h"

namespace zbcli {

namespace {

std::string pid_text(std::uint64_t pid, bool alive) {
  if (pid == 0) return "-";
  return std::to_string(pid) + (alive ? "" : " (dead)");
}

}  // namespace

int run_list(const ListOptions& options) {
  const std::vector<BufferReport> reports = describe_all();
  if (options.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const BufferReport& r : reports) all.push_back(to_json(r));
    std::cout << all.dump(2) << '\n';
    return kOk;
  }
  std::printf("%-32s %-13s %12s %12s %-16s %-16s %12s %12s %6s\n", "NAME", "STATE", "METADATA", "PAYLOAD", "READER",
              "WRITER", "WRITTEN", "READ", "FILL");
  for (const BufferReport& r : reports) {
    if (!header_usable(r)) {
      std::printf("%-32s %-13s %s\n", r.name.c_str(), r.state.c_str(),
                  r.problems.empty() ? "" : r.problems.front().c_str());
      continue;
    }
    std::printf("%-32s %-13s %12llu %12llu %-16s %-16s %12llu %12llu %5.1f%%\n", r.name.c_str(), r.state.c_str(),
                static_cast<unsigned long long>(r.oieb.metadata_size),
                static_cast<unsigned long long>(r.oieb.payload_size),
                pid_text(r.oieb.reader_pid, r.reader_alive).c_str(), pid_text(r.oieb.writer_pid, r.writer_alive).c_str(),
                static_cast<unsigned long long>(r.oieb.payload_written_count),
                static_cast<unsigned long long>(r.oieb.payload_read_count), r.fill_percent);
  }
  return kOk;
}

}  // namespace zbcli
