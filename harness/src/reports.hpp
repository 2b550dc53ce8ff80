// Report writers: JUnit XML, results.json, a Markdown matrix, a self-contained HTML page with
// one log file per cell, and the console summary table.
#pragma once

#include "results.hpp"

#include <string>
#include <vector>

namespace zbh {

struct RunInfo {
  std::string command_line;
  std::string started_at;  // ISO 8601, UTC
  double duration_ms = 0;
  std::vector<std::string> writers;  // column/row order of the matrix
  std::vector<std::string> readers;
  bool strict = false;
};

// Relative path of a cell's log inside the report directory.
std::string log_path(const CellResult& result);

std::string junit_xml(const RunInfo& info, const std::vector<CellResult>& results);
std::string results_json(const RunInfo& info, const std::vector<CellResult>& results);
std::string markdown_report(const RunInfo& info, const std::vector<CellResult>& results);
std::string html_report(const RunInfo& info, const std::vector<CellResult>& results);

// writer x reader table of "passed/total" (plus problems) for the terminal.
std::string console_matrix(const RunInfo& info, const std::vector<CellResult>& results);

// Writes junit.xml, results.json, matrix.md, index.html and logs/*.log into `dir`.
// Throws std::runtime_error when a file cannot be written.
void write_reports(const std::string& dir, const RunInfo& info, const std::vector<CellResult>& results);

}  // namespace zbh
