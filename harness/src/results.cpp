#include "results.hpp"

namespace zbh {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: return "passed";
    case Outcome::failed: return "failed";
    case Outcome::skipped: return "skipped";
    case Outcome::expected_failure: return "xfail";
    case Outcome::unexpected_pass: return "xpass";
  }
  return "failed";
}

bool outcome_fails_run(Outcome outcome) {
  return outcome == Outcome::failed || outcome == Outcome::unexpected_pass;
}

void Tally::add(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: ++passed; break;
    case Outcome::failed: ++failed; break;
    case Outcome::skipped: ++skipped; break;
    case Outcome::expected_failure: ++expected_failures; break;
    case Outcome::unexpected_pass: ++unexpected_passes; break;
  }
}

Tally tally(const std::vector<CellResult>& results) {
  Tally t;
  for (const auto& r : results) t.add(r.outcome);
  return t;
}

}  // namespace zbh
