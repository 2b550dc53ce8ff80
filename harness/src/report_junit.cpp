#include "report_util.hpp"

#include <sstream>

namespace zbh {

std::string junit_xml(const RunInfo& info, const std::vector<CellResult>& results) {
  using namespace report;
  const Tally total = tally(results);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"zerobuffer-conformance\" tests=\"" << total.total() << "\" failures=\""
      << total.failed + total.unexpected_passes << "\" skipped=\"" << total.skipped << "\" time=\""
      << format_seconds(info.duration_ms) << "\">\n";
  // One suite per writer-reader pair.
  for (const auto& [writer, reader] : pairs(info, results)) {
    std::vector<const CellResult*> cells;
    for (const auto& r : results) {
      if (r.writer == writer && r.reader == reader) cells.push_back(&r);
    }
    std::vector<CellResult> copy;
    for (const auto* c : cells) copy.push_back(*c);
    const Tally t = tally(copy);
    double ms = 0;
    for (const auto* c : cells) ms += c->duration_ms;
    out << "  <testsuite name=\"conformance." << xml_escape(writer + "-" + reader) << "\" tests=\"" << t.total()
        << "\" failures=\"" << t.failed + t.unexpected_passes << "\" skipped=\"" << t.skipped << "\" time=\""
        << format_seconds(ms) << "\" timestamp=\"" << xml_escape(info.started_at) << "\">\n";
    for (const auto* c : cells) {
      out << "    <testcase classname=\"conformance." << xml_escape(c->scenario) << "\" name=\""
          << xml_escape(writer + "-" + reader) << "\" time=\"" << format_seconds(c->duration_ms) << "\">\n";
      switch (c->outcome) {
        case Outcome::failed:
        case Outcome::unexpected_pass:
          out << "      <failure message=\"" << xml_escape(c->message.substr(0, 1000)) << "\" type=\""
              << outcome_name(c->outcome) << "\">" << xml_escape(c->failed_step + ": " + c->message + "\nrepro: " + c->repro)
              << "</failure>\n";
          out << "      <system-out>" << xml_escape(c->log) << "</system-out>\n";
          break;
        case Outcome::skipped:
          out << "      <skipped message=\"" << xml_escape(c->message) << "\"/>\n";
          break;
        case Outcome::expected_failure:
          out << "      <system-out>" << xml_escape(c->message) << "</system-out>\n";
          break;
        case Outcome::passed:
          break;
      }
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace zbh
