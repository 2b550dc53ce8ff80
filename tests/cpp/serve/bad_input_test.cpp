// zerobuffer-serve specifics that no scenario reaches (invalid UTF-8, 16 MiB lines, notifications,
// unknown parameters); the bad-input contract every port follows is owned by scenarios/serve.json.
#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeBadInput : public ServeTest {
 protected:
  /// Sends a raw line, expects an error with `code`, then checks the serve still answers.
  Json expect_rpc_error(ServeProcess& serve, std::string_view line, int code, const Json& id = nullptr) {
    serve.send_raw(line);
    const auto response = serve.next_message();
    if (!response) {
      ADD_FAILURE() << "no answer to: " << line.substr(0, 200);
      return Json::object();
    }
    EXPECT_EQ((*response)["id"], id);
    const Json error = rpc_error_of(*response, code);
    EXPECT_EQ(serve.ok("hello")["implementation"], "cpp") << "serve stopped answering after: " << line.substr(0, 200);
    return error;
  }
};

TEST_F(ServeBadInput, InvalidUtf8IsAParseError) {
  auto& serve = start("serve");
  expect_rpc_error(serve, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hel\xff\xfelo\"}", -32700);
}

TEST_F(ServeBadInput, BinaryGarbageIsAParseError) {
  auto& serve = start("serve");
  std::string garbage;
  for (int i = 0; i < 4096; ++i) {
    const char c = static_cast<char>((i * 97 + 13) % 256);  // every byte value, NUL included
    garbage.push_back(c == '\n' ? '\0' : c);
  }
  expect_rpc_error(serve, garbage, -32700);
}

TEST_F(ServeBadInput, OverlongLineIsRefusedAndSkipped) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello","params":{"pad":")" +
                              std::string(17 * 1024 * 1024, 'x') + "\"}}",
                   -32700);
}

TEST_F(ServeBadInput, UnknownParametersAreIgnored) {
  auto& serve = start("serve");
  serve.send_raw(R"({"jsonrpc":"2.0","id":1,"method":"status","params":{"verbose":true}})", false, "status");
  EXPECT_EQ(result_of(*serve.next_message())["role"], "none");
}

TEST_F(ServeBadInput, NotificationsGetNoAnswer) {
  auto& serve = start("serve");
  serve.send_raw(R"({"jsonrpc":"2.0","method":"hello"})");
  serve.send_raw(R"({"jsonrpc":"2.0","method":"no-such-method"})");
  const int id = serve.send("status");
  EXPECT_EQ(result_of(serve.receive(id))["role"], "none");  // the next line answers the request, not the notifications
}

}  // namespace
}  // namespace zbserve_test
