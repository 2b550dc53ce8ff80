// Subset matching, ranges and placeholders.
#include "matcher.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

json j(const char* text) { return json::parse(text); }

TEST(HarnessMatcher, SubsetMatchIgnoresKeysNotExpected) {
  EXPECT_TRUE(match(j(R"({"read": 1})"), j(R"({"read": 1, "bytes": 5, "elapsedMs": 0.3})")).empty());
}

TEST(HarnessMatcher, MissingKeyIsReportedWithItsPath) {
  auto m = match(j(R"({"frames": [{"valid": true}]})"), j(R"({"frames": [{"sequence": 1}]})"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "frames[0].valid: missing (expected true)");
}

TEST(HarnessMatcher, WrongValueNamesPathExpectedAndActual) {
  auto m = match(j(R"({"frames": [{"sequence": 1}, {"sequence": 2}]})"), j(R"({"frames": [{"sequence": 1}, {"sequence": 3}]})"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "frames[1].sequence: expected 2, got 3");
}

TEST(HarnessMatcher, ArraysMustHaveTheSameLength) {
  EXPECT_FALSE(match(j("[1, 2]"), j("[1, 2, 3]")).empty());
  EXPECT_TRUE(match(j("[1, 2]"), j("[1, 2]")).empty());
}

TEST(HarnessMatcher, RangeMatchesNumbersInsideBoundsOnly) {
  EXPECT_TRUE(match(j(R"({"min": 1, "max": 3})"), j("3")).empty());
  EXPECT_TRUE(match(j(R"({"min": 1})"), j("1000.5")).empty());
  EXPECT_FALSE(match(j(R"({"max": 3})"), j("3.01")).empty());
  EXPECT_FALSE(match(j(R"({"min": 1, "max": 3})"), j("0")).empty());
}

TEST(HarnessMatcher, RangeObjectStillMatchesAnObjectAsSubset) {
  EXPECT_TRUE(match(j(R"({"min": 1})"), j(R"({"min": 1, "max": 2})")).empty());
}

TEST(HarnessMatcher, NumbersCompareByValueAcrossRepresentations) {
  EXPECT_TRUE(match(j("1"), j("1.0")).empty());
  EXPECT_TRUE(match(j("18446744073709551615"), j("18446744073709551615")).empty());
  EXPECT_FALSE(match(j("1"), j("true")).empty());
  EXPECT_FALSE(match(j("\"1\""), j("1")).empty());
}

Bindings sample_bindings() {
  Bindings b;
  b.name = "zbh-test-1";
  b.uuid = "00000000-0000-4000-8000-000000000000";
  b.pids["reader"] = 4242;
  b.saved["r"] = j(R"({"bytes": 77, "frames": [{"size": 5}]})");
  return b;
}

TEST(HarnessMatcher, WholePlaceholderKeepsItsType) {
  EXPECT_EQ(resolve(j(R"({"readerPid": "${pid.reader}"})"), sample_bindings()), j(R"({"readerPid": 4242})"));
  EXPECT_EQ(resolve(j(R"("${r.frames.0.size}")"), sample_bindings()), j("5"));
}

TEST(HarnessMatcher, PlaceholderInsideAStringIsSpliced) {
  EXPECT_EQ(resolve(j(R"("../${name}")"), sample_bindings()), j(R"("../zbh-test-1")"));
  EXPECT_EQ(resolve(j(R"("${name}-${r.bytes}")"), sample_bindings()), j(R"("zbh-test-1-77")"));
}

TEST(HarnessMatcher, PaddedNameHasExactlyTheRequestedLength) {
  auto padded = resolve(j(R"("${name:200}")"), sample_bindings()).get<std::string>();
  EXPECT_EQ(padded.size(), 200u);
  EXPECT_EQ(padded.rfind("zbh-test-1", 0), 0u);
}

TEST(HarnessMatcher, UnknownPlaceholderIsAnError) {
  EXPECT_THROW(resolve(j(R"("${pid.writer}")"), sample_bindings()), ResolveError);
  EXPECT_THROW(resolve(j(R"("${r.missing}")"), sample_bindings()), ResolveError);
  EXPECT_THROW(resolve(j(R"("${name")"), sample_bindings()), ResolveError);
}

TEST(HarnessMatcher, RandomSizesAreDeterministicAndInRange) {
  auto a = resolve(j(R"({"sizes": {"$randomSizes": {"seed": 5, "count": 1000, "min": 1, "max": 2032}}})"), sample_bindings());
  auto b = resolve(j(R"({"sizes": {"$randomSizes": {"seed": 5, "count": 1000, "min": 1, "max": 2032}}})"), sample_bindings());
  ASSERT_EQ(a, b);
  ASSERT_EQ(a["sizes"].size(), 1000u);
  std::uint64_t low = 100000, high = 0;
  for (const auto& size : a["sizes"]) {
    low = std::min(low, size.get<std::uint64_t>());
    high = std::max(high, size.get<std::uint64_t>());
  }
  EXPECT_GE(low, 1u);
  EXPECT_LE(high, 2032u);
  EXPECT_LT(low, 50u);
  EXPECT_GT(high, 1980u);
  EXPECT_THROW(resolve(j(R"({"$randomSizes": {"seed": 5, "count": 10, "min": 0, "max": 3}})"), sample_bindings()),
               ResolveError);
}

TEST(HarnessMatcher, UuidsAreVersion4) {
  const std::string uuid = make_uuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(uuid, make_uuid());
}

}  // namespace
}  // namespace zbh
