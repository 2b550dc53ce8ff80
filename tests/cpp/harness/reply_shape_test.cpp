// The shape of serve replies as far as the harness checks it on every reply (docs/schema).
#include "reply_shape.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

json reply(const json& result) {
  return json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", result}};
}

json error_reply(const json& error) {
  return json{{"jsonrpc", "2.0"}, {"id", 1}, {"error", error}};
}

TEST(ReplyShape, AWellFormedResultHasNoProblem) {
  EXPECT_TRUE(reply_shape_problems(
                  "writeFrames",
                  reply({{"written", 1}, {"firstSequence", 1}, {"lastSequence", 1}, {"bytes", 10}, {"elapsedMs", 0.5}}))
                  .empty());
  EXPECT_TRUE(reply_shape_problems("status",
                                   reply({{"role", "none"}, {"name", nullptr}, {"peerConnected", false}, {"held", 0}}))
                  .empty());
  EXPECT_TRUE(reply_shape_problems("close", reply(json::object())).empty());
}

TEST(ReplyShape, MissingWrongAndUnknownKeysAreNamed) {
  const auto problems = reply_shape_problems(
      "writeFrames",
      reply({{"written", -1}, {"firstSequence", 1}, {"lastSequence", 1}, {"elapsedMs", 1}, {"extra", 1}}));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "reply to writeFrames breaks docs/schema: result.written is not a non-negative integer: -1");
  EXPECT_EQ(problems[1], "reply to writeFrames breaks docs/schema: result.bytes is missing");
  EXPECT_EQ(problems[2], "reply to writeFrames breaks docs/schema: result has a key the schema does not allow: extra");
}

TEST(ReplyShape, EnvelopeMustBeJsonRpc2WithExactlyOneOutcome) {
  EXPECT_FALSE(reply_shape_problems("close", json{{"jsonrpc", "1.0"}, {"id", 1}, {"result", json::object()}}).empty());
  EXPECT_FALSE(reply_shape_problems("close", json{{"jsonrpc", "2.0"}, {"id", 1}}).empty());
}

TEST(ReplyShape, LibraryErrorsCarryAKnownKindAndTheSameMessage) {
  EXPECT_TRUE(reply_shape_problems(
                  "readFrames",
                  error_reply({{"code", -32000}, {"message", "m"}, {"data", {{"kind", "Timeout"}, {"message", "m"}}}}))
                  .empty());
  EXPECT_FALSE(reply_shape_problems(
                   "readFrames",
                   error_reply({{"code", -32000}, {"message", "m"}, {"data", {{"kind", "Oops"}, {"message", "m"}}}}))
                   .empty());
  EXPECT_FALSE(reply_shape_problems("readFrames", error_reply({{"code", -32000},
                                                               {"message", "m"},
                                                               {"data", {{"kind", "Timeout"}, {"message", "other"}}}}))
                   .empty());
  EXPECT_FALSE(
      reply_shape_problems(
          "readFrames",
          error_reply({{"code", -32000}, {"message", "m"}, {"data", {{"kind", "SequenceError"}, {"message", "m"}}}}))
          .empty());
  EXPECT_FALSE(reply_shape_problems("readFrames", error_reply({{"code", -1}, {"message", "m"}})).empty());
}

}  // namespace
}  // namespace zbh
