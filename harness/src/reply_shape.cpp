#include "reply_shape.hpp"

#include <map>
#include <utility>

#include "read_verdict.hpp"
#include "scenario_model.hpp"

namespace zbh {
namespace {

enum class Type { uint, number, boolean, string, string_or_null, array };

struct Key {
  const char* name;
  Type type;
  bool required;
};

// The result keys of each method (docs/schema/METHOD.result.schema.json). Every result object
// admits no other key. readFrames frames and getMetadata checksums are checked by read_verdict.
const std::map<std::string, std::vector<Key>>& result_keys() {
  static const std::map<std::string, std::vector<Key>> keys = {
      {"hello",
       {{"implementation", Type::string, true},
        {"library", Type::string, true},
        {"wireVersion", Type::string, true},
        {"serveProtocol", Type::uint, true},
        {"pid", Type::uint, true},
        {"capabilities", Type::array, true}}},
      {"createReader",
       {{"metadataSize", Type::uint, true},
        {"payloadSize", Type::uint, true},
        {"mode", Type::uint, true},
        {"pid", Type::uint, true}}},
      {"connectWriter", {{"pid", Type::uint, true}}},
      {"setMetadata", {{"size", Type::uint, true}}},
      {"getMetadata", {{"size", Type::uint, true}, {"checksum", Type::string, true}, {"text", Type::string, false}}},
      {"writeFrames",
       {{"written", Type::uint, true},
        {"firstSequence", Type::uint, true},
        {"lastSequence", Type::uint, true},
        {"bytes", Type::uint, true},
        {"elapsedMs", Type::number, true}}},
      {"readFrames",
       {{"read", Type::uint, true},
        {"bytes", Type::uint, true},
        {"firstSequence", Type::uint, true},
        {"lastSequence", Type::uint, true},
        {"elapsedMs", Type::number, true},
        {"writerGone", Type::boolean, false},
        {"frames", Type::array, true}}},
      {"releaseFrames", {{"released", Type::uint, true}}},
      {"status",
       {{"role", Type::string, true},
        {"name", Type::string_or_null, true},
        {"framesRead", Type::uint, false},
        {"bytesRead", Type::uint, false},
        {"framesWritten", Type::uint, false},
        {"bytesWritten", Type::uint, false},
        {"peerConnected", Type::boolean, true},
        {"held", Type::uint, true}}},
      {"close", {}},
      {"shutdown", {}},
  };
  return keys;
}

bool has_type(const json& value, Type type) {
  switch (type) {
    case Type::uint: return is_uint(value);
    case Type::number: return value.is_number() && value.get<double>() >= 0;
    case Type::boolean: return value.is_boolean();
    case Type::string: return value.is_string();
    case Type::string_or_null: return value.is_string() || value.is_null();
    case Type::array: return value.is_array();
  }
  return false;
}

const char* type_name(Type type) {
  switch (type) {
    case Type::uint: return "a non-negative integer";
    case Type::number: return "a non-negative number";
    case Type::boolean: return "a boolean";
    case Type::string: return "a string";
    case Type::string_or_null: return "a string or null";
    case Type::array: return "an array";
  }
  return "?";
}

std::vector<std::string> object_problems(const json& object, const std::vector<Key>& keys, const std::string& where) {
  std::vector<std::string> problems;
  for (const auto& key : keys) {
    if (!object.contains(key.name)) {
      if (key.required) problems.push_back(where + "." + key.name + " is missing");
    } else if (!has_type(object.at(key.name), key.type)) {
      problems.push_back(where + "." + key.name + " is not " + type_name(key.type) + ": " + object.at(key.name).dump());
    }
  }
  for (const auto& [name, value] : object.items()) {
    bool known = false;
    for (const auto& key : keys) known = known || name == key.name;
    if (!known) problems.push_back(where + " has a key the schema does not allow: " + name);
  }
  return problems;
}

std::vector<std::string> error_problems(const json& error) {
  std::vector<std::string> problems;
  if (!error.contains("code") || !error.at("code").is_number_integer()) {
    problems.push_back("error.code is not an integer");
    return problems;
  }
  const auto code = error.at("code").get<long long>();
  if (code != -32700 && code != -32600 && code != -32601 && code != -32602 && code != -32000) {
    problems.push_back("error.code " + std::to_string(code) + " is not one of the serve protocol's codes");
  }
  if (!error.contains("message") || !error.at("message").is_string() ||
      error.at("message").get<std::string>().empty()) {
    problems.push_back("error.message is not a non-empty string");
  }
  for (const auto& [name, value] : error.items()) {
    if (name != "code" && name != "message" && name != "data") problems.push_back("error has an unknown key: " + name);
  }
  if (code != -32000) return problems;
  if (!error.contains("data") || !error.at("data").is_object()) {
    problems.push_back("a -32000 error needs a data object");
    return problems;
  }
  const json& data = error.at("data");
  if (!data.contains("kind") || !data.at("kind").is_string() ||
      !vocab::is_error_kind(data.at("kind").get<std::string>())) {
    problems.push_back("error.data.kind is not one of the serve protocol's kinds: " +
                       data.value("kind", json()).dump());
  }
  if (data.value("message", json()) != error.value("message", json())) {
    problems.push_back("error.data.message is not the same text as error.message");
  }
  if (data.value("kind", json()) == "SequenceError") {
    for (const char* key : {"expected", "actual"}) {
      if (!data.contains(key) || !is_uint(data.at(key))) {
        problems.push_back(std::string("SequenceError needs an integer error.data.") + key);
      }
    }
  }
  return problems;
}

}  // namespace

std::vector<std::string> reply_shape_problems(const std::string& method, const json& response) {
  std::vector<std::string> problems;
  if (response.value("jsonrpc", json()) != "2.0") problems.push_back("jsonrpc is not \"2.0\"");
  const bool has_result = response.contains("result");
  const bool has_error = response.contains("error");
  if (has_result == has_error) problems.push_back("a response has exactly one of result and error");
  for (const auto& [name, value] : response.items()) {
    if (name != "jsonrpc" && name != "id" && name != "result" && name != "error") {
      problems.push_back("the response has an unknown key: " + name);
    }
  }
  if (has_error && response.at("error").is_object()) {
    auto more = error_problems(response.at("error"));
    problems.insert(problems.end(), more.begin(), more.end());
  }
  if (has_result && response.at("result").is_object()) {
    auto it = result_keys().find(method);
    if (it != result_keys().end()) {
      auto more = object_problems(response.at("result"), it->second, "result");
      problems.insert(problems.end(), more.begin(), more.end());
    }
  }
  for (auto& problem : problems) problem = "reply to " + method + " breaks docs/schema: " + problem;
  return problems;
}

}  // namespace zbh
