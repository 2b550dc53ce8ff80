#include "console_progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace zbh {

ConsoleProgress::ConsoleProgress(bool verbose, std::size_t cells)
    : verbose_(verbose), tty_(::isatty(STDOUT_FILENO) != 0), single_(cells == 1) {}

void ConsoleProgress::cell_done(const CellResult& r, std::size_t done, std::size_t total) {
  running_.add(r.outcome);
  if (tty_ && !single_) std::printf("\r\033[K");
  if (r.outcome != Outcome::passed || verbose_ || single_) {
    std::printf("%-6s conformance.%s (%.0f ms)%s%s\n", outcome_name(r.outcome), r.cell_name().c_str(), r.duration_ms,
                r.message.empty() ? "" : ": ", r.message.substr(0, 2000).c_str());
  }
  if (verbose_ || (single_ && r.outcome != Outcome::passed)) std::printf("%s\n", r.log.c_str());
  if (tty_ && !single_) {
    std::printf("[%zu/%zu] %d passed, %d failed, %d skipped, %d xfail  (last: %s)", done, total, running_.passed,
                running_.failed + running_.unexpected_passes, running_.skipped, running_.expected_failures,
                r.cell_name().c_str());
  } else if (!single_ && (done % 50 == 0 || done == total)) {
    std::printf("[%zu/%zu] %d passed, %d failed, %d skipped, %d xfail\n", done, total, running_.passed,
                running_.failed + running_.unexpected_passes, running_.skipped, running_.expected_failures);
  }
  std::fflush(stdout);
}

void ConsoleProgress::matrix_done() {
  if (tty_ && !single_) std::printf("\n");
}

std::string tally_summary(const Tally& t) {
  std::string out = std::to_string(t.total()) + " cells: " + std::to_string(t.passed) + " passed, " +
                    std::to_string(t.failed) + " failed, " + std::to_string(t.skipped) + " skipped";
  if (t.expected_failures) out += ", " + std::to_string(t.expected_failures) + " expected failures";
  if (t.unexpected_passes) out += ", " + std::to_string(t.unexpected_passes) + " unexpected passes";
  return out;
}

void print_run_end(const std::vector<CellResult>& results, const RunInfo& info, const std::string& report_dir) {
  if (results.size() > 1) std::printf("\n%s", console_matrix(info, results).c_str());
  bool any = false;
  for (const auto& r : results) {
    if (!outcome_fails_run(r.outcome)) continue;
    if (!any) std::printf("\nFailures (repro commands):\n");
    any = true;
    std::printf("  %s [%s]: %s\n    %s\n", r.cell_name().c_str(), r.failed_step.c_str(),
                r.message.substr(0, 300).c_str(), r.repro.c_str());
  }
  if (!report_dir.empty()) {
    write_reports(report_dir, info, results);
    std::printf("\nReport: %s/index.html (also junit.xml, results.json, matrix.md, logs/)\n", report_dir.c_str());
  }
  std::printf("\n%s in %.1f s\n", tally_summary(tally(results)).c_str(), info.duration_ms / 1000.0);
}

}  // namespace zbh
