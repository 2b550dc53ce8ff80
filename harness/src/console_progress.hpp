// What `run` and `certify` print while cells finish and at the end: a line per failing cell
// (every cell with -v, with its log), a progress counter (rewritten in place on a terminal,
// every 50 cells otherwise), then the matrix table, the failures with their repro commands and
// the tally.
#pragma once

#include "reports.hpp"
#include "results.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace zbh {

class ConsoleProgress {
 public:
  ConsoleProgress(bool verbose, std::size_t cells);
  // One cell finished (MatrixOptions::on_result).
  void cell_done(const CellResult& result, std::size_t done, std::size_t total);
  // All cells finished: ends the progress line.
  void matrix_done();

 private:
  bool verbose_;
  bool tty_;
  bool single_;
  Tally running_;
};

// "N cells: P passed, F failed, S skipped[, X expected failures][, U unexpected passes]".
std::string tally_summary(const Tally& tally);

// The end of a run: matrix table, failures with repro commands, where the reports went (when
// `report_dir` is set) and the tally.
void print_run_end(const std::vector<CellResult>& results, const RunInfo& info, const std::string& report_dir);

}  // namespace zbh
