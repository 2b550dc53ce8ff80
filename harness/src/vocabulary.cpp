#include "scenario_model.hpp"

#include <algorithm>
#include <regex>

namespace zbh::vocab {

const std::vector<std::pair<std::string, std::vector<std::string>>>& methods() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"hello", {}},
      {"createReader", {"name", "metadataSize", "payloadSize", "mode"}},
      {"connectWriter", {"name", "timeoutMs"}},
      {"setMetadata", {"text", "size", "seed"}},
      {"getMetadata", {"seed", "size"}},
      {"writeFrames", {"size", "sizes", "text", "count", "seed", "zeroCopy", "delayMs", "timeoutMs"}},
      {"readFrames", {"count", "timeoutMs", "seed", "verify", "delayMs", "hold", "untilWriterGone"}},
      {"releaseFrames", {"count"}},
      {"status", {}},
      {"close", {}},
      {"shutdown", {}},
  };
  return table;
}

const std::vector<std::string>* method_args(const std::string& name) {
  for (const auto& [method, args] : methods()) {
    if (method == name) return &args;
  }
  return nullptr;
}

bool is_method(const std::string& name) { return method_args(name) != nullptr; }

const std::vector<std::string>& error_kinds() {
  static const std::vector<std::string> kinds = {
      "Timeout",        "WriterDead",       "ReaderDead",
      "BufferFull",     "FrameTooLarge",    "InvalidFrameSize",
      "MetadataTooLarge", "MetadataAlreadyWritten", "BufferNotFound",
      "WriterAlreadyConnected", "ReaderAlreadyConnected", "SequenceError",
      "Corrupt",        "IncompatibleVersion", "InvalidName",
      "InvalidState",   "Internal",
  };
  return kinds;
}

bool is_error_kind(const std::string& kind) {
  const auto& kinds = error_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

const std::vector<std::pair<std::string, std::string>>& capabilities() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"zeroCopyWrite", "writer"},
      {"holdFrames", "reader"},
      {"writerRestart", "reader"},
      {"createMode", "reader"},
  };
  return table;
}

std::optional<std::string> capability_side(const std::string& capability) {
  for (const auto& [name, side] : capabilities()) {
    if (name == capability) return side;
  }
  return std::nullopt;
}

bool is_role(const std::string& role) {
  static const std::regex pattern("(reader|writer)[0-9]*");
  return std::regex_match(role, pattern);
}

std::string role_side(const std::string& role) {
  return role.rfind("reader", 0) == 0 ? "reader" : "writer";
}

}  // namespace zbh::vocab
