#include "buffer_report.h"

#include "zerobuffer/error.h"
#include "zerobuffer/host.h"

namespace zbcli {

BufferReport describe(const zerobuffer::BufferView& view) {
  BufferReport r;
  r.name = view.name();
  r.object_size = view.object_size();
  r.oieb = view.oieb();
  zerobuffer::HeaderCheck check = zerobuffer::check_header(r.oieb, r.object_size, view.has_semaphores());
  r.problems = std::move(check.problems);
  if (check.state != zerobuffer::HeaderState::Ok) {
    r.state = std::string(zerobuffer::to_string(check.state));
    return r;
  }
  r.reader_alive = zerobuffer::is_reader_alive(r.name, r.oieb.reader_pid);
  r.writer_alive = zerobuffer::is_writer_alive(r.name, r.oieb.writer_pid);
  r.state = !r.reader_alive ? "stale" : r.writer_alive ? "active" : "idle";
  const std::uint64_t p = r.oieb.payload_size;
  r.fill_percent = 100.0 * static_cast<double>(p - r.oieb.payload_free_bytes) / static_cast<double>(p);
  return r;
}

BufferReport inaccessible(const std::string& name, const std::string& error) {
  BufferReport r;
  r.name = name;
  r.state = "inaccessible";
  r.problems.push_back(error);
  return r;
}

std::vector<BufferReport> describe_all() {
  std::vector<BufferReport> reports;
  for (const std::string& name : zerobuffer::list_shared_memory()) {
    try {
      reports.push_back(describe(zerobuffer::BufferView(name)));
    } catch (const zerobuffer::BufferNotFoundException&) {
      // removed since it was listed
    } catch (const zerobuffer::ZeroBufferException& e) {
      reports.push_back(inaccessible(name, e.what()));
    }
  }
  return reports;
}

bool header_usable(const BufferReport& report) noexcept {
  return report.state == "active" || report.state == "idle" || report.state == "stale";
}

nlohmann::json to_json(const BufferReport& r) {
  nlohmann::json j = {{"name", r.name}, {"state", r.state}, {"object_size", r.object_size}, {"problems", r.problems}};
  if (!header_usable(r)) return j;
  j["metadata_size"] = r.oieb.metadata_size;
  j["payload_size"] = r.oieb.payload_size;
  j["reader_pid"] = r.oieb.reader_pid;
  j["reader_alive"] = r.reader_alive;
  j["writer_pid"] = r.oieb.writer_pid;
  j["writer_alive"] = r.writer_alive;
  j["written_count"] = r.oieb.payload_written_count;
  j["read_count"] = r.oieb.payload_read_count;
  j["fill_percent"] = r.fill_percent;
  return j;
}

}  // namespace zbcli
