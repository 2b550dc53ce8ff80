// JSON-RPC 2.0 layer: envelope checks, the method table, and the error vocabulary.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "zerobuffer/error.h"

namespace zbserve {

/// Objects keep their keys in insertion order, so answers read naturally ("jsonrpc" first).
using Json = nlohmann::ordered_json;

class Params;

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
/// Code of every library (and role) error; data.kind says which.
inline constexpr int kLibraryError = -32000;

/// Longest accepted request line and deepest accepted nesting of a request.
inline constexpr std::size_t kMaxLineBytes = 16 * 1024 * 1024;
inline constexpr int kMaxNesting = 64;

/// A failed request, as sent back: code, message and optional data.
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, const std::string& message, Json data = nullptr)
      : std::runtime_error(message), code_(code), data_(std::move(data)) {}
  int code() const noexcept { return code_; }
  const Json& data() const noexcept { return data_; }
  /// Adds keys to data (progress of a multi-frame call); data must be an object.
  void add_data(const Json& extra);

 private:
  int code_;
  Json data_;
};

/// `-32602` with a message naming the offending parameter.
RpcError invalid_params(const std::string& message);

/// A `-32000` error of the given kind; `extra` keys (an object or null) join kind and message in data.
RpcError kind_error(zerobuffer::ErrorCode kind, const std::string& message, const Json& extra = nullptr);

/// The `-32000` error for a library exception (SequenceError gains expected/actual).
RpcError library_error(const zerobuffer::ZeroBufferException& error, const Json& extra = nullptr);

/// Decodes request lines, calls the registered handler, encodes the answer.
class Dispatcher {
 public:
  using Handler = std::function<Json(const Params&)>;

  void add(std::string method, Handler handler);

  /// Handles one input line. Returns the response line, or nullopt for a notification.
  /// Never throws: every failure becomes an error response.
  std::optional<std::string> handle_line(std::string_view line) const;

  /// The response to a line that exceeded kMaxLineBytes.
  static std::string line_too_long_response();

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace zbserve
