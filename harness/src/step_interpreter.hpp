// Executes one cell: starts the scenario's roles as serve sessions (serve_session.hpp), runs its
// steps in order (calls, awaits, raw lines, harness actions, checks (checks.hpp)), then shuts the
// serves down and looks for leftovers. The verdict and the cell's log make up the result.
#pragma once

#include "results.hpp"
#include "runner.hpp"

namespace zbh {

// Never throws: every problem ends up in the result.
CellResult interpret_cell(const CellSpec& cell, const RunnerOptions& options);

}  // namespace zbh
