#include "core/etag.hpp"

#include <gtest/gtest.h>

namespace deskbridge::core {
namespace {

TEST(Etag, IsAQuotedHexHashOfContentAndQualifier) {
    const std::string tag = strong_etag("{\"a\":1}", "ok");
    ASSERT_EQ(tag.size(), 34u);
    EXPECT_EQ(tag.front(), '"');
    EXPECT_EQ(tag.back(), '"');
    EXPECT_EQ(tag.find_first_not_of("0123456789abcdef", 1), 33u);
    EXPECT_EQ(tag, strong_etag("{\"a\":1}", "ok"));
    EXPECT_NE(tag, strong_etag("{\"a\":2}", "ok"));
    EXPECT_NE(tag, strong_etag("{\"a\":1}", "stale"));
}

TEST(Etag, IfNoneMatchLists) {
    const std::string tag = "\"0123abcd\"";
    EXPECT_TRUE(none_match_hits("\"0123abcd\"", tag));
    EXPECT_TRUE(none_match_hits("W/\"0123abcd\"", tag));
    EXPECT_TRUE(none_match_hits("\"x\", W/\"y\",\"0123abcd\"", tag));
    EXPECT_TRUE(none_match_hits("  *  ", tag));
    EXPECT_FALSE(none_match_hits("\"0123abcd", tag));
    EXPECT_FALSE(none_match_hits("0123abcd", tag));
    EXPECT_FALSE(none_match_hits("\"x\", \"y\"", tag));
    EXPECT_FALSE(none_match_hits("\"x\" \"0123abcd\"", tag));
    EXPECT_FALSE(none_match_hits("*, \"0123abcd\"", tag));
    EXPECT_FALSE(none_match_hits("", tag));
    EXPECT_FALSE(none_match_hits("\"0123ABCD\"", tag));
}

}  // namespace
}  // namespace deskbridge::core
