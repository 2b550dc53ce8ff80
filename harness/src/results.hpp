// The result model shared by the runner, the expected-failure lists and the reporters.
#pragma once

#include <string>
#include <vector>

namespace zbh {

enum class Outcome {
  passed,
  failed,
  skipped,           // the pair lacks a capability the scenario needs
  expected_failure,  // failed, and listed in scenarios/expected/<port>.json
  unexpected_pass,   // passed although listed: the entry is stale and fails the run
};

const char* outcome_name(Outcome outcome);  // "passed", "failed", "skipped", "xfail", "xpass"
bool outcome_fails_run(Outcome outcome);

struct CellResult {
  std::string scenario;
  std::string title;
  std::string tier;
  std::string writer;
  std::string reader;
  Outcome outcome = Outcome::failed;
  std::string message;      // why it failed / was skipped / is expected to fail
  std::string failed_step;  // "step 7" when a step failed
  double duration_ms = 0;
  std::string log;    // the full transcript, stderr of every role included
  std::string repro;  // a command line that runs just this cell

  std::string cell_name() const { return scenario + "." + writer + "-" + reader; }
};

struct Tally {
  int passed = 0, failed = 0, skipped = 0, expected_failures = 0, unexpected_passes = 0;
  int total() const { return passed + failed + skipped + expected_failures + unexpected_passes; }
  void add(Outcome outcome);
};

Tally tally(const std::vector<CellResult>& results);

}  // namespace zbh
