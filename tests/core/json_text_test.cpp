#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace deskbridge::core::json_text {
namespace {

// Every escaped string must parse back, as a JSON string, to exactly the input bytes.
std::string round_trip(std::string_view input) {
    std::string out;
    append_string(out, input);
    return std::string(boost::json::parse(out).as_string());
}

TEST(JsonText, PlainTextIsCopiedBetweenQuotes) {
    std::string out = "x";
    append_string(out, "Pedido 123 – São Paulo");
    EXPECT_EQ(out, "x\"Pedido 123 – São Paulo\"");
}

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
    std::string out;
    append_string(out, "a\"b\\c\nd\x01\x7f");
    EXPECT_EQ(out, R"("a\"b\\c\u000ad\u0001\u007f")");
}

TEST(JsonText, RoundTripsEveryByteAtEveryPosition) {
    for (int c = 1; c < 128; ++c) {
        const std::string ch(1, static_cast<char>(c));
        for (const std::string& s : {ch, ch + "tail", "head" + ch, "a" + ch + "b" + ch}) {
            EXPECT_EQ(round_trip(s), s) << "byte " << c;
        }
    }
    EXPECT_EQ(round_trip(""), "");
    EXPECT_EQ(round_trip(std::string("nul\0inside", 10)), std::string("nul\0inside", 10));
}

}  // namespace
}  // namespace deskbridge::core::json_text
