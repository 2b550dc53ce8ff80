#include "report_util.hpp"

#include <nlohmann/json.hpp>

namespace zbh {

std::string results_json(const RunInfo& info, const std::vector<CellResult>& results) {
  nlohmann::ordered_json doc;
  const Tally t = tally(results);
  doc["tool"] = "zerobuffer-harness";
  doc["commandLine"] = info.command_line;
  doc["startedAt"] = info.started_at;
  doc["durationMs"] = info.duration_ms;
  doc["strict"] = info.strict;
  doc["writers"] = info.writers;
  doc["readers"] = info.readers;
  doc["summary"] = {{"total", t.total()},
                    {"passed", t.passed},
                    {"failed", t.failed},
                    {"skipped", t.skipped},
                    {"expectedFailures", t.expected_failures},
                    {"unexpectedPasses", t.unexpected_passes}};
  doc["cells"] = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    nlohmann::ordered_json cell;
    cell["name"] = "conformance." + r.cell_name();
    cell["scenario"] = r.scenario;
    cell["title"] = r.title;
    cell["tier"] = r.tier;
    cell["writer"] = r.writer;
    cell["reader"] = r.reader;
    cell["outcome"] = outcome_name(r.outcome);
    cell["durationMs"] = r.duration_ms;
    if (!r.message.empty()) cell["message"] = r.message;
    if (!r.failed_step.empty()) cell["failedStep"] = r.failed_step;
    cell["log"] = log_path(r);
    cell["repro"] = r.repro;
    doc["cells"].push_back(std::move(cell));
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace zbh
