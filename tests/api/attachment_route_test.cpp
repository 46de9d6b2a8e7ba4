#include "api/attachment_route.hpp"

#include <gtest/gtest.h>

namespace deskbridge::api {
namespace {

TEST(ParseDownloadLink, ReadsTheFourValues) {
    const auto link = parse_download_link("/api/attachments/188/2%2F2?c=c100&e=1800000900&s=abc");
    ASSERT_TRUE(link);
    EXPECT_EQ(link->claims.ticket_zoho_id, "188");
    EXPECT_EQ(link->claims.attachment_id, "2/2");
    EXPECT_EQ(link->claims.client_id, std::optional<std::int64_t>(100));
    EXPECT_EQ(link->claims.expires_at.time_since_epoch().count(), 1800000900);
    EXPECT_EQ(link->signature, "abc");

    const auto staff = parse_download_link("/api/attachments/1/2?s=x&e=5&c=staff");
    ASSERT_TRUE(staff);
    EXPECT_FALSE(staff->claims.client_id);
}

TEST(ParseDownloadLink, RefusesOtherShapes) {
    for (const char* bad : {
             "/api/attachments/1/2",
             "/api/attachments/1/2?c=c1&e=5",
             "/api/attachments/1?c=c1&e=5&s=x",
             "/api/attachments/1/2/3?c=c1&e=5&s=x",
             "/api/attachments//2?c=c1&e=5&s=x",
             "/api/attachments/1/2?c=c1&e=5&s=x&s=y",
             "/api/attachments/1/2?c=c1&e=5&s=x&z=1",
             "/api/attachments/1/2?c=1&e=5&s=x",
             "/api/attachments/1/2?c=c1&e=-5&s=x",
             "/api/attachments/1/2?c=c1&e=5x&s=x",
             "/api/other/1/2?c=c1&e=5&s=x",
             "/api/attachments/1/2?c=c1&e=5&s=x%",
         }) {
        EXPECT_FALSE(parse_download_link(bad)) << bad;
    }
}

TEST(ContentDisposition, PlainNames) {
    EXPECT_EQ(content_disposition("nf-70001.pdf"),
              "attachment; filename=\"nf-70001.pdf\"; filename*=UTF-8''nf-70001.pdf");
}

TEST(ContentDisposition, HostileAndNonAsciiNames) {
    EXPECT_EQ(content_disposition("Relatório \"final\".pdf"),
              "attachment; filename=\"Relat__rio _final_.pdf\"; "
              "filename*=UTF-8''Relat%C3%B3rio%20%22final%22.pdf");
    EXPECT_EQ(content_disposition("../../etc/passwd"),
              "attachment; filename=\".._.._etc_passwd\"; "
              "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd");
    EXPECT_EQ(content_disposition("a\r\nSet-Cookie: x=1;\\b"),
              "attachment; filename=\"a__Set-Cookie: x=1;_b\"; "
              "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1%3B%5Cb");
    EXPECT_EQ(content_disposition(""),
              "attachment; filename=\"attachment\"; "
              "filename*=UTF-8''attachment");
}

}  // namespace
}  // namespace deskbridge::api
