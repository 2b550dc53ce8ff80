#include "traffic_log.hpp"

#include <stdexcept>

namespace zbh {

TrafficLog::TrafficLog(const std::string& path) : out_(path, std::ios::trunc) {
  if (!out_) throw std::runtime_error("cannot write " + path);
}

void TrafficLog::exchange(const std::string& role, const std::string& port, const std::string& method,
                          const std::string& request, const std::string& reply) {
  const json entry = {{"role", role},
                      {"port", port},
                      {"method", method.empty() ? json() : json(method)},
                      {"request", request},
                      {"reply", reply.empty() ? json() : json(reply)}};
  std::lock_guard lock(mutex_);
  out_ << dump(entry) << '\n';
  out_.flush();
}

std::string traffic_log_path(const std::string& dir, const std::string& cell_name) {
  return dir + "/" + cell_name + ".jsonl";
}

}  // namespace zbh
