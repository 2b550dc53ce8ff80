#include "report_util.hpp"

#include <sstream>

namespace zbh {
namespace {

const char* kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { margin-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.cell { text-align: center; min-width: 4.5em; }
td.cell a { color: inherit; text-decoration: none; display: block; }
td.cell a:hover { text-decoration: underline; }
.passed { background: #c8e6c9; }
.failed { background: #ef9a9a; font-weight: bold; }
.skipped { background: #eeeeee; color: #666; }
.xfail { background: #ffe0b2; }
.xpass { background: #ce93d8; font-weight: bold; }
.title { color: #666; font-size: 12px; }
.problems li { margin-bottom: 0.6em; }
.problems pre { white-space: pre-wrap; margin: 0.2em 0; background: #f8f8f8; padding: 4px; }
.legend span { padding: 2px 6px; margin-right: 4px; border: 1px solid #ccc; }
)css";

const char* kScript = R"js(
(function () {
  var cells = document.querySelectorAll('table.matrix td.cell');
  document.getElementById('rendered-cells').textContent = String(cells.length);
  var box = document.getElementById('only-problems');
  box.addEventListener('change', function () {
    document.querySelectorAll('table.matrix tbody tr').forEach(function (row) {
      row.style.display = box.checked && !row.classList.contains('has-problem') ? 'none' : '';
    });
  });
})();
)js";

const char* cell_label(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: return "pass";
    case Outcome::failed: return "FAIL";
    case Outcome::skipped: return "skip";
    case Outcome::expected_failure: return "xfail";
    case Outcome::unexpected_pass: return "XPASS";
  }
  return "?";
}

std::string pair_class(const Tally& t) {
  if (t.failed || t.unexpected_passes) return "failed";
  if (t.expected_failures) return "xfail";
  if (t.passed) return "passed";
  return "skipped";
}

}  // namespace

std::string html_report(const RunInfo& info, const std::vector<CellResult>& results) {
  using namespace report;
  std::ostringstream out;
  const Tally total = tally(results);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>ZeroBuffer conformance</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<h1>ZeroBuffer conformance</h1>\n";
  out << "<p class=\"summary\"><strong>" << html_escape(summary_line(total)) << "</strong> in "
      << format_seconds(info.duration_ms) << " s, started " << html_escape(info.started_at)
      << (info.strict ? ", strict mode" : "") << ".<br>Command: <code>" << html_escape(info.command_line)
      << "</code><br>Cells shown: <span id=\"rendered-cells\">(needs JavaScript)</span></p>\n";
  out << "<p class=\"legend\"><span class=\"passed\">pass</span><span class=\"failed\">FAIL</span>"
         "<span class=\"skipped\">skip: a capability is missing</span><span class=\"xfail\">xfail: known "
         "failure, listed with a reason</span><span class=\"xpass\">XPASS: listed as failing but passed</span></p>\n";

  out << "<h2>Writer × reader</h2>\n<table class=\"pairs\">\n<tr><th>writer \\ reader</th>";
  for (const auto& r : info.readers) out << "<th>" << html_escape(r) << "</th>";
  out << "</tr>\n";
  for (const auto& w : info.writers) {
    out << "<tr><th>" << html_escape(w) << "</th>";
    for (const auto& r : info.readers) {
      Tally t;
      for (const auto& c : results) {
        if (c.writer == w && c.reader == r) t.add(c.outcome);
      }
      if (t.total() == 0) {
        out << "<td></td>";
        continue;
      }
      out << "<td class=\"" << pair_class(t) << "\">" << t.passed << "/" << t.total() - t.skipped << " passed";
      if (t.failed) out << ", " << t.failed << " failed";
      if (t.unexpected_passes) out << ", " << t.unexpected_passes << " xpass";
      if (t.expected_failures) out << ", " << t.expected_failures << " xfail";
      if (t.skipped) out << ", " << t.skipped << " skipped";
      out << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";

  const auto all_pairs = pairs(info, results);
  out << "<h2>Scenarios</h2>\n<label><input type=\"checkbox\" id=\"only-problems\"> only scenarios that did not "
         "pass everywhere</label>\n<table class=\"matrix\">\n<thead><tr><th>scenario</th><th>tier</th>";
  for (const auto& [w, r] : all_pairs) out << "<th>" << html_escape(w) << "→" << html_escape(r) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows(results)) {
    bool problem = false;
    for (const auto& [pair, cell] : row.cells) problem = problem || cell->outcome != Outcome::passed;
    out << "<tr" << (problem ? " class=\"has-problem\"" : "") << "><td><code>" << html_escape(row.id)
        << "</code><div class=\"title\">" << html_escape(row.title) << "</div></td><td>" << html_escape(row.tier)
        << "</td>";
    for (const auto& p : all_pairs) {
      auto it = row.cells.find(p);
      if (it == row.cells.end()) {
        out << "<td class=\"absent\"></td>";
        continue;
      }
      const CellResult& c = *it->second;
      std::string tip = c.message.empty() ? std::string(outcome_name(c.outcome)) : c.message.substr(0, 400);
      out << "<td class=\"cell " << outcome_name(c.outcome) << "\"><a href=\"" << html_escape(log_path(c))
          << "\" title=\"" << html_escape(tip) << "\">" << cell_label(c.outcome) << "</a></td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";

  bool heading = false;
  for (const auto& c : results) {
    if (c.outcome == Outcome::passed) continue;
    if (!heading) {
      out << "<h2>Not passed</h2>\n<ul class=\"problems\">\n";
      heading = true;
    }
    out << "<li class=\"" << outcome_name(c.outcome) << "-item\"><strong>" << html_escape(c.scenario) << "</strong> "
        << html_escape(c.writer) << "→" << html_escape(c.reader) << ": " << outcome_name(c.outcome)
        << (c.failed_step.empty() ? "" : " at " + html_escape(c.failed_step)) << " (<a href=\""
        << html_escape(log_path(c)) << "\">log</a>)<pre>" << html_escape(c.message) << "</pre>";
    if (outcome_fails_run(c.outcome)) out << "repro: <code>" << html_escape(c.repro) << "</code>";
    out << "</li>\n";
  }
  if (heading) out << "</ul>\n";
  out << "<script>" << kScript << "</script>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace zbh
