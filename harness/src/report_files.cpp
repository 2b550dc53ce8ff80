#include "report_util.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace zbh {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string log_path(const CellResult& result) { return "logs/" + result.cell_name() + ".log"; }

void write_reports(const std::string& dir, const RunInfo& info, const std::vector<CellResult>& results) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  std::error_code ec;
  fs::create_directories(root / "logs", ec);
  if (ec) throw std::runtime_error("cannot create " + (root / "logs").string() + ": " + ec.message());
  for (const auto& r : results) {
    std::string text = "# conformance." + r.cell_name() + ": " + outcome_name(r.outcome) + "\n";
    if (!r.message.empty()) text += "# " + r.failed_step + (r.failed_step.empty() ? "" : ": ") + r.message + "\n";
    text += "# repro: " + r.repro + "\n\n" + r.log;
    write_file(root / log_path(r), text);
  }
  write_file(root / "junit.xml", junit_xml(info, results));
  write_file(root / "results.json", results_json(info, results));
  write_file(root / "matrix.md", markdown_report(info, results));
  write_file(root / "index.html", html_report(info, results));
}

}  // namespace zbh
