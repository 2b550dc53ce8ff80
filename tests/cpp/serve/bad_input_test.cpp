// Bad input: each case gets the right JSON-RPC error and the serve keeps serving.
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

TEST_F(ServeBadInput, MalformedJsonIsAParseError) {
  auto& serve = start("serve");
  expect_rpc_error(serve, "this is not json", -32700);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello")", -32700);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello"} trailing)", -32700);
  expect_rpc_error(serve, "{'single': 'quotes'}", -32700);
}

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

TEST_F(ServeBadInput, DeepNestingIsRefused) {
  auto& serve = start("serve");
  expect_rpc_error(serve, std::string(100000, '[') + std::string(100000, ']'), -32700);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello","params":{"x":)" + std::string(200, '[') +
                              std::string(200, ']') + "}}",
                   -32700);
}

TEST_F(ServeBadInput, OverlongLineIsRefusedAndSkipped) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello","params":{"pad":")" +
                              std::string(17 * 1024 * 1024, 'x') + "\"}}",
                   -32700);
}

TEST_F(ServeBadInput, NonObjectsAreInvalidRequests) {
  auto& serve = start("serve");
  expect_rpc_error(serve, "42", -32600);
  expect_rpc_error(serve, "\"hello\"", -32600);
  expect_rpc_error(serve, "null", -32600);
  expect_rpc_error(serve, R"([{"jsonrpc":"2.0","id":1,"method":"hello"}])", -32600);  // batches unsupported
}

TEST_F(ServeBadInput, BrokenEnvelopesAreInvalidRequests) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"id":1,"method":"hello"})", -32600, 1);
  expect_rpc_error(serve, R"({"jsonrpc":"1.0","id":2,"method":"hello"})", -32600, 2);
  expect_rpc_error(serve, R"({"jsonrpc":2.0,"id":3,"method":"hello"})", -32600, 3);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":4})", -32600, 4);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":5,"method":42})", -32600, 5);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":{"a":1},"method":"hello"})", -32600);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":[1],"method":"hello"})", -32600);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":true,"method":"hello"})", -32600);
}

TEST_F(ServeBadInput, UnknownMethod) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":"x-1","method":"frobnicate"})", -32601, "x-1");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":7,"method":"Hello"})", -32601, 7);
}

TEST_F(ServeBadInput, ParamsMustBeAnObject) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"hello","params":[]})", -32602, 1);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":2,"method":"status","params":"x"})", -32602, 2);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":3,"method":"status","params":null})", -32602, 3);
}

TEST_F(ServeBadInput, MissingParameters) {
  auto& serve = start("serve");
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":1,"method":"createReader","params":{"name":"x","payloadSize":64}})",
                   -32602, 1);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":2,"method":"createReader","params":{"metadataSize":0,"payloadSize":64}})",
                   -32602, 2);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":3,"method":"connectWriter"})", -32602, 3);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":4,"method":"writeFrames","params":{"count":3}})", -32602, 4);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":5,"method":"setMetadata","params":{"seed":3}})", -32602, 5);
}

TEST_F(ServeBadInput, MistypedParameters) {
  auto& serve = start("serve");
  const std::string create = R"({"jsonrpc":"2.0","id":1,"method":"createReader","params":{"name":"x","metadataSize":0,)";
  expect_rpc_error(serve, create + R"("payloadSize":"big"}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":-1}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":1.5}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":18446744073709551616}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":true}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":64,"mode":"0600"}})", -32602, 1);
  expect_rpc_error(serve, create + R"("payloadSize":64,"mode":4294967296}})", -32602, 1);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":2,"method":"createReader","params":{"name":5,"metadataSize":0,"payloadSize":64}})",
                   -32602, 2);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":3,"method":"readFrames","params":{"hold":"yes"}})", -32602, 3);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":4,"method":"readFrames","params":{"count":"1"}})", -32602, 4);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":5,"method":"readFrames","params":{"delayMs":0.5}})", -32602, 5);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":6,"method":"releaseFrames","params":{"count":-2}})", -32602, 6);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":7,"method":"connectWriter","params":{"name":"x","timeoutMs":null}})",
                   -32602, 7);
  // The role check comes after the parameter check: a mistyped call fails the same way in any state.
  EXPECT_EQ(serve.ok("status")["role"], "none");
}

TEST_F(ServeBadInput, WriteFramesNeedsExactlyOneFrameSource) {
  auto& serve = start("serve");
  const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"writeFrames","params":)";
  expect_rpc_error(serve, head + R"({"size":1,"text":"a"}})", -32602, 1);
  expect_rpc_error(serve, head + R"({"size":1,"sizes":[1]}})", -32602, 1);
  expect_rpc_error(serve, head + R"({"sizes":[]}})", -32602, 1);
  expect_rpc_error(serve, head + R"({"sizes":[1,"2"]}})", -32602, 1);
  expect_rpc_error(serve, head + R"({"sizes":7}})", -32602, 1);
  expect_rpc_error(serve, R"({"jsonrpc":"2.0","id":2,"method":"setMetadata","params":{"text":"a","size":1}})", -32602,
                   2);
}

TEST_F(ServeBadInput, IntegralFloatsCountAsIntegers) {
  const std::string buffer = name();
  auto& serve = start("reader");
  serve.send_raw(R"({"jsonrpc":"2.0","id":1,"method":"createReader","params":{"name":")" + buffer +
                     R"(","metadataSize":0.0,"payloadSize":1e3}})",
                 true, "createReader");
  EXPECT_EQ(result_of(*serve.next_message())["payloadSize"], 1024);
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

TEST_F(ServeBadInput, BlankLinesAndCarriageReturnsAreTolerated) {
  auto& serve = start("serve");
  serve.send_raw("");
  serve.send_raw("   \t");
  serve.send_raw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\"}\r", true, "hello");
  EXPECT_EQ(result_of(*serve.next_message())["implementation"], "cpp");
}

TEST_F(ServeBadInput, StringIdsAreEchoed) {
  auto& serve = start("serve");
  serve.send_raw(R"({"jsonrpc":"2.0","id":"abc","method":"status"})", true, "status");
  const auto response = serve.next_message();
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["id"], "abc");
}

}  // namespace
}  // namespace zbserve_test
