#include "core/log.hpp"

#include <gtest/gtest.h>

namespace deskbridge::core::log {
namespace {

TEST(LogLine, IsOneJsonObjectWithEscapedValues) {
    const std::string line = format_line(
        Level::kWarn, "evt", {{"s", "a\"b\\c\nd"}, {"n", 42}, {"b", true}, {"z", nullptr}});
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "a value broke the line";
    EXPECT_NE(line.find(R"("level":"warn","event":"evt")"), std::string::npos);
    EXPECT_NE(line.find(R"("s":"a\"b\\c\u000ad")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("n":42,"b":true,"z":null})"), std::string::npos) << line;
}

TEST(LogLevel, FiltersBelowTheConfiguredLevel) {
    ASSERT_TRUE(set_level("warn"));
    EXPECT_FALSE(enabled(Level::kInfo));
    EXPECT_TRUE(enabled(Level::kError));
    EXPECT_FALSE(set_level("loud"));
    ASSERT_TRUE(set_level("info"));
    EXPECT_TRUE(enabled(Level::kInfo));
}

}  // namespace
}  // namespace deskbridge::core::log
