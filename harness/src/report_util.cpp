#include "report_util.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace zbh::report {

std::vector<Pair> pairs(const RunInfo& info, const std::vector<CellResult>& results) {
  std::set<Pair> present;
  for (const auto& r : results) present.insert({r.writer, r.reader});
  std::vector<Pair> out;
  for (const auto& w : info.writers) {
    for (const auto& r : info.readers) {
      if (present.count({w, r})) out.push_back({w, r});
    }
  }
  for (const auto& p : present) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

std::vector<ScenarioRow> rows(const std::vector<CellResult>& results) {
  std::vector<ScenarioRow> out;
  std::map<std::string, std::size_t> index;
  for (const auto& r : results) {
    auto [it, inserted] = index.emplace(r.scenario, out.size());
    if (inserted) out.push_back({r.scenario, r.title, r.tier, {}});
    out[it->second].cells[{r.writer, r.reader}] = &r;
  }
  return out;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') out += '?';
        else out += c;
    }
  }
  return out;
}

std::string html_escape(const std::string& text) { return xml_escape(text); }

std::string format_seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", ms / 1000.0);
  return text;
}

std::string summary_line(const Tally& t) {
  std::string out = std::to_string(t.total()) + " cells: " + std::to_string(t.passed) + " passed, " +
                    std::to_string(t.failed) + " failed, " + std::to_string(t.skipped) + " skipped";
  if (t.expected_failures) out += ", " + std::to_string(t.expected_failures) + " expected failures";
  if (t.unexpected_passes) out += ", " + std::to_string(t.unexpected_passes) + " unexpected passes";
  return out;
}

}  // namespace zbh::report
