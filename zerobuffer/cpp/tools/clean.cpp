// `zerobuffer clean`: the library's own stale cleanup (the one every Reader runs on create),
// run on demand and reported.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "zerobuffer/host.h"

namespace zbcli {

int run_clean(const CleanOptions& options) {
  const std::vector<zerobuffer::StaleBuffer> stale = zerobuffer::remove_stale_buffers(options.dry_run);
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : stale) out.push_back({{"name", s.name}, {"objects_removed", s.objects_removed}});
    std::cout << nlohmann::json{{"dry_run", options.dry_run}, {"lock_directory", zerobuffer::lock_directory()},
                                {"stale", out}}
                     .dump(2)
              << '\n';
    return kOk;
  }
  const char* verb = options.dry_run ? "would remove" : "removed";
  for (const auto& s : stale) {
    if (s.objects_removed) {
      std::printf("%s %s: shared memory, semaphores and lock file\n", verb, s.name.c_str());
    } else {
      std::printf("%s %s: lock file only (its writer still lives and keeps the objects)\n", verb, s.name.c_str());
    }
  }
  if (stale.empty()) std::printf("no stale buffers in %s\n", zerobuffer::lock_directory().c_str());
  return kOk;
}

}  // namespace zbcli
