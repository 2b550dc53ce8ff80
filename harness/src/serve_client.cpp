#include "serve_client.hpp"

namespace zbh {

using json = nlohmann::json;

std::string Reply::kind() const {
  const json* error = message.contains("error") ? &message.at("error") : nullptr;
  if (error == nullptr || !error->is_object() || !error->contains("data")) return "";
  const json& data = error->at("data");
  if (!data.is_object() || !data.contains("kind") || !data.at("kind").is_string()) return "";
  return data.at("kind").get<std::string>();
}

const json& Reply::body() const {
  static const json empty = json::object();
  if (message.contains("result")) return message.at("result");
  if (message.contains("error") && message.at("error").is_object() && message.at("error").contains("data")) {
    return message.at("error").at("data");
  }
  return empty;
}

ServeClient::ServeClient(std::string label, const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env)
    : label_(std::move(label)), process_(argv, env) {}

std::int64_t ServeClient::send(const std::string& method, const json& params) {
  const std::int64_t id = next_id_++;
  process_.send_line(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
  return id;
}

void ServeClient::send_raw(const std::string& line) { process_.send_line(line); }

std::optional<Reply> ServeClient::next_reply(Clock::time_point deadline) {
  auto line = process_.next_line(deadline);
  if (!line) return std::nullopt;
  json message = json::parse(line->text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    throw ProcessError(label_ + " wrote a line that is not a JSON object: " + line->text.substr(0, 300));
  }
  return Reply{std::move(message), line->received};
}

std::optional<Reply> ServeClient::await(std::int64_t id, Clock::time_point deadline) {
  auto reply = next_reply(deadline);
  if (!reply) return std::nullopt;
  const json& got = reply->message.contains("id") ? reply->message.at("id") : json();
  if (!got.is_number_integer() || got.get<std::int64_t>() != id) {
    throw ProcessError(label_ + " answered request " + std::to_string(id) + " with " + reply->message.dump().substr(0, 300));
  }
  return reply;
}

}  // namespace zbh
