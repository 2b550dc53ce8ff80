// Runs scenarios: one cell = one scenario with one writer port and one reader port, with fresh
// serve processes, a unique buffer name and a private lock directory.
#pragma once

#include "ports.hpp"
#include "results.hpp"
#include "scenario_model.hpp"

#include <functional>
#include <string>
#include <vector>

namespace zbh {

struct CellSpec {
  const Scenario* scenario = nullptr;
  Port writer;
  Port reader;
};

struct RunnerOptions {
  // Where per-test directories (holding the lock directory) are created.
  std::string temp_root = "/tmp";
  // Held (flock) while an exclusive scenario runs, across harness processes.
  std::string exclusive_lock = "/tmp/zerobuffer-harness-exclusive.lock";
  int hello_deadline_ms = 20000;    // serve start-up, .NET included, on a loaded machine
  int shutdown_deadline_ms = 3000;  // a serve must exit this soon after shutdown
  // When set, each cell's request and reply lines are written to DIR/<cell>.jsonl (traffic_log.hpp).
  std::string record_dir;
};

// Runs one cell. Never throws: every problem ends up in the result.
CellResult run_cell(const CellSpec& cell, const RunnerOptions& options);

struct MatrixOptions {
  int jobs = 1;
  // Called (from worker threads, serialised) after each cell finishes.
  std::function<void(const CellResult&, std::size_t done, std::size_t total)> on_result;
  // Post-processing of each result (expected failures, repro command) before on_result.
  std::function<void(CellResult&)> finish;
  // Start no further cell once one has failed (after `finish`); cells not run are left out.
  bool fail_fast = false;
};

// Runs all cells on `jobs` threads; results come back in the order of `cells` (minus those
// not started because of `fail_fast`).
std::vector<CellResult> run_matrix(const std::vector<CellSpec>& cells, const RunnerOptions& options,
                                   const MatrixOptions& matrix);

}  // namespace zbh
