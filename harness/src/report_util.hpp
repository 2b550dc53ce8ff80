// Helpers shared by the report writers.
#pragma once

#include "reports.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace zbh::report {

using Pair = std::pair<std::string, std::string>;  // writer, reader

// Pairs present in the results, ordered by the run's writer and reader order.
std::vector<Pair> pairs(const RunInfo& info, const std::vector<CellResult>& results);

struct ScenarioRow {
  std::string id;
  std::string title;
  std::string tier;
  std::map<Pair, const CellResult*> cells;
};
// One row per scenario, in the order the results first mention them.
std::vector<ScenarioRow> rows(const std::vector<CellResult>& results);

std::string xml_escape(const std::string& text);  // also drops characters XML 1.0 forbids
std::string html_escape(const std::string& text);
std::string format_seconds(double ms);
std::string summary_line(const Tally& t);

}  // namespace zbh::report
