#include "report_util.hpp"

#include <iomanip>
#include <sstream>

namespace zbh {
namespace {

const char* markdown_cell(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: return "✅";
    case Outcome::failed: return "❌ fail";
    case Outcome::skipped: return "⏭️ skip";
    case Outcome::expected_failure: return "⚠️ xfail";
    case Outcome::unexpected_pass: return "❗ xpass";
  }
  return "?";
}

std::string markdown_text(std::string text) {
  for (auto& c : text) {
    if (c == '|' || c == '\n' || c == '\r') c = c == '|' ? '/' : ' ';
  }
  return text;
}

// "passed/total" per writer x reader, with the problems spelled out.
std::string pair_summary(const std::vector<CellResult>& results, const std::string& writer, const std::string& reader,
                         bool markdown) {
  Tally t;
  for (const auto& r : results) {
    if (r.writer == writer && r.reader == reader) t.add(r.outcome);
  }
  if (t.total() == 0) return "-";
  std::string out = std::to_string(t.passed) + "/" + std::to_string(t.total() - t.skipped);
  std::string extra;
  if (t.failed) extra += std::to_string(t.failed) + (markdown ? " ❌" : " failed");
  if (t.unexpected_passes) extra += (extra.empty() ? "" : ", ") + std::to_string(t.unexpected_passes) + " xpass";
  if (t.expected_failures) extra += (extra.empty() ? "" : ", ") + std::to_string(t.expected_failures) + " xfail";
  if (t.skipped) extra += (extra.empty() ? "" : ", ") + std::to_string(t.skipped) + " skip";
  if (!extra.empty()) out += " (" + extra + ")";
  return out;
}

}  // namespace

std::string markdown_report(const RunInfo& info, const std::vector<CellResult>& results) {
  using namespace report;
  std::ostringstream out;
  out << "# ZeroBuffer conformance\n\n";
  out << summary_line(tally(results)) << " — " << format_seconds(info.duration_ms) << " s, started "
      << info.started_at << (info.strict ? ", strict (expected-failure lists ignored)" : "") << ".\n\n";
  out << "## Writer × reader\n\nPassed / run (skips are not counted as run).\n\n";
  out << "| writer \\ reader |";
  for (const auto& r : info.readers) out << " " << r << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < info.readers.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& w : info.writers) {
    out << "| **" << w << "** |";
    for (const auto& r : info.readers) out << " " << pair_summary(results, w, r, true) << " |";
    out << "\n";
  }

  const auto all_pairs = pairs(info, results);
  out << "\n## Per scenario\n\nColumns are writer→reader. ✅ passed, ❌ failed, ⏭️ skipped (capability missing), "
         "⚠️ expected failure, ❗ unexpected pass.\n\n";
  out << "| scenario | tier |";
  for (const auto& [w, r] : all_pairs) out << " " << w << "→" << r << " |";
  out << "\n|---|---|";
  for (std::size_t i = 0; i < all_pairs.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& row : rows(results)) {
    out << "| `" << row.id << "` | " << row.tier << " |";
    for (const auto& p : all_pairs) {
      auto it = row.cells.find(p);
      out << " " << (it == row.cells.end() ? "" : markdown_cell(it->second->outcome)) << " |";
    }
    out << "\n";
  }

  bool heading = false;
  for (const auto& r : results) {
    if (r.outcome == Outcome::passed) continue;
    if (!heading) {
      out << "\n## Not passed\n\n";
      heading = true;
    }
    out << "- **" << r.scenario << "** " << r.writer << "→" << r.reader << " — " << outcome_name(r.outcome)
        << (r.failed_step.empty() ? "" : " at " + markdown_text(r.failed_step)) << ": "
        << markdown_text(r.message.substr(0, 600)) << " ([log](" << log_path(r) << "))";
    if (outcome_fails_run(r.outcome)) out << "\n  repro: `" << r.repro << "`";
    out << "\n";
  }
  return out.str();
}

std::string console_matrix(const RunInfo& info, const std::vector<CellResult>& results) {
  std::size_t width = 16;
  for (const auto& w : info.writers) {
    for (const auto& r : info.readers) width = std::max(width, pair_summary(results, w, r, false).size() + 2);
  }
  std::ostringstream out;
  out << std::left << std::setw(18) << "writer \\ reader";
  for (const auto& r : info.readers) out << std::setw(static_cast<int>(width)) << r;
  out << "\n";
  for (const auto& w : info.writers) {
    out << std::setw(18) << w;
    for (const auto& r : info.readers) out << std::setw(static_cast<int>(width)) << pair_summary(results, w, r, false);
    out << "\n";
  }
  return out.str();
}

}  // namespace zbh
