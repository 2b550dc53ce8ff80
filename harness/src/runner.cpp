#include "runner.hpp"

#include "step_interpreter.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace zbh {

CellResult run_cell(const CellSpec& cell, const RunnerOptions& options) { return interpret_cell(cell, options); }

std::vector<CellResult> run_matrix(const std::vector<CellSpec>& cells, const RunnerOptions& options,
                                   const MatrixOptions& matrix) {
  std::vector<CellResult> results(cells.size());
  std::vector<bool> ran(cells.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::size_t done = 0;
  std::mutex mutex;
  auto worker = [&] {
    while (!stop) {
      const std::size_t index = next++;
      if (index >= cells.size()) return;
      CellResult result = run_cell(cells[index], options);
      std::lock_guard lock(mutex);
      if (matrix.finish) matrix.finish(result);
      if (matrix.fail_fast && outcome_fails_run(result.outcome)) stop = true;
      results[index] = std::move(result);
      ran[index] = true;
      ++done;
      if (matrix.on_result) matrix.on_result(results[index], done, cells.size());
    }
  };
  const int jobs = std::max(1, std::min<int>(matrix.jobs, static_cast<int>(cells.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  std::vector<CellResult> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (ran[i]) out.push_back(std::move(results[i]));
  }
  return out;
}

}  // namespace zbh
