#include "api/request_parsing.hpp"

#include <gtest/gtest.h>

namespace deskbridge::api {
namespace {

const core::Limits kLimits;

boost::json::object parse(std::string_view body) {
    return parse_json_object(body, kLimits).value();
}

TicketRequestFields fields(std::string_view body) {
    return parse_ticket_fields(parse(body)).value();
}

std::string field_error(std::string_view body) {
    const auto r = parse_ticket_fields(parse(body));
    return r.ok() ? std::string("ok") : r.error().message;
}

TEST(ParseJsonObject, AcceptsOnlyAnObject) {
    EXPECT_TRUE(parse_json_object(R"({"a":1})", kLimits).ok());
    for (const char* bad : {"", "[]", "\"x\"", "42", "{", "{\"a\":}", "null", "{} {}"}) {
        const auto r = parse_json_object(bad, kLimits);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().message, "Request body must be a JSON object") << bad;
    }
}

TEST(ParseJsonObject, EnforcesDepthAndStringLimits) {
    std::string deep(40, '[');
    deep = "{\"a\":" + deep + std::string(40, ']') + "}";
    EXPECT_NE(parse_json_object(deep, kLimits).error().message.find("nested too deeply"),
              std::string::npos);

    const std::string long_string = "{\"auth\":\"" + std::string(5000, 'x') + "\"}";
    EXPECT_NE(parse_json_object(long_string, kLimits).error().message.find("longer than"),
              std::string::npos);
}

TEST(ParseJsonObject, RejectsInvalidUtf8) {
    EXPECT_FALSE(parse_json_object("{\"a\":\"\xff\xfe\"}", kLimits).ok());
}

TEST(AuthField, DistinguishesAbsentFromInvalid) {
    EXPECT_FALSE(auth_field(parse("{}")).has_value());
    EXPECT_FALSE(auth_field(parse(R"({"auth":""})")).has_value());
    EXPECT_FALSE(auth_field(parse(R"({"auth":null})")).has_value());
    EXPECT_EQ(auth_field(parse(R"({"auth":"abc"})")), "abc");
    EXPECT_EQ(auth_field(parse(R"({"auth":123})")), "") << "a non-string fails verification";
}

TEST(TicketFields, AcceptIdentifiersAsStringsOrNumbers) {
    const auto a =
        fields(R"({"ticket_number":12345,"zoho_id":123456789012345678,"chamado_id":"99"})");
    EXPECT_EQ(a.request.query.ticket_number, "12345");
    EXPECT_EQ(a.request.query.zoho_id, "123456789012345678");
    EXPECT_EQ(a.request.query.id, 99);
    EXPECT_FALSE(a.no_identifier);

    const auto b = fields(R"({"chamado_id":99})");
    EXPECT_EQ(b.request.query.id, 99);
    EXPECT_FALSE(b.request.query.ticket_number.has_value());
}

TEST(TicketFields, TreatEmptyAndNullAsAbsent) {
    EXPECT_TRUE(fields(R"({"ticket_number":"","zoho_id":null,"chamado_id":""})").no_identifier);
    EXPECT_TRUE(fields(R"({"auth":"x"})").no_identifier);
}

TEST(TicketFields, RejectWrongTypesWithTheFieldName) {
    EXPECT_EQ(field_error(R"({"ticket_number":[1]})"),
              "ticket_number must be a string or a non-negative integer");
    EXPECT_EQ(field_error(R"({"zoho_id":1.5})"),
              "zoho_id must be a string or a non-negative integer");
    EXPECT_EQ(field_error(R"({"chamado_id":"abc"})"), "chamado_id must be a non-negative integer");
    EXPECT_EQ(field_error(R"({"chamado_id":-4})"),
              "chamado_id must be a string or a non-negative integer");
    EXPECT_EQ(field_error(R"({"chamado_id":"99999999999999999999"})"),
              "chamado_id must be a non-negative integer");
    EXPECT_EQ(field_error(R"({"ticket_number":true})"),
              "ticket_number must be a string or a non-negative integer");
}

TEST(TicketFields, RejectNulInsideIdentifiers) {
    EXPECT_EQ(field_error(R"({"ticket_number":"12345\u0000"})"),
              "ticket_number must not contain NUL characters");
    EXPECT_EQ(field_error(R"({"zoho_id":"\u0000"})"), "zoho_id must not contain NUL characters");
    EXPECT_EQ(field_error(R"({"chamado_id":"9\u00009"})"),
              "chamado_id must not contain NUL characters");
}

TEST(TicketFields, ReadRefreshInEveryAcceptedForm) {
    for (const char* yes : {"1", "\"1\"", "true"}) {
        EXPECT_TRUE(
            fields(std::string(R"({"chamado_id":1,"refresh":)") + yes + "}").request.refresh)
            << yes;
    }
    for (const char* no : {"0", "\"0\"", "false", "null"}) {
        EXPECT_FALSE(
            fields(std::string(R"({"chamado_id":1,"refresh":)") + no + "}").request.refresh)
            << no;
    }
    for (const char* bad : {"2", "\"yes\"", "1.0", "[]", "-1"}) {
        EXPECT_EQ(field_error(std::string(R"({"chamado_id":1,"refresh":)") + bad + "}"),
                  R"(refresh must be 0 or 1 (or "0", "1", false, true))")
            << bad;
    }
}

TEST(TicketFields, TextFlagIsOptionalAndStrict) {
    EXPECT_FALSE(fields(R"({"chamado_id":1})").request.text);
    EXPECT_TRUE(fields(R"({"chamado_id":1,"texto":1})").request.text);
    EXPECT_TRUE(fields(R"({"chamado_id":1,"texto":"1"})").request.text);
    EXPECT_FALSE(fields(R"({"chamado_id":1,"texto":false})").request.text);
    EXPECT_EQ(field_error(R"({"chamado_id":1,"texto":"sim"})"),
              R"(texto must be 0 or 1 (or "0", "1", false, true))");
}

TEST(LoginFields, RequireLoginAndPasswordStrings) {
    const auto ok = parse_login_fields(parse(R"({"login":"a","password":"p"})"));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->login, "a");
    EXPECT_EQ(parse_login_fields(parse(R"({"password":"p"})")).error().message,
              "login is required");
    EXPECT_EQ(parse_login_fields(parse(R"({"login":"a","password":5})")).error().message,
              "password must be a string");
    EXPECT_EQ(parse_login_fields(parse(R"({"login":"a\u0000","password":"p"})")).error().message,
              "login must not contain NUL characters");
    // Passwords never reach the database, and Argon2id takes any bytes.
    EXPECT_TRUE(parse_login_fields(parse(R"({"login":"a","password":"p\u0000"})")).ok());
}

}  // namespace
}  // namespace deskbridge::api
