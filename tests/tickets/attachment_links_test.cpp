#include "tickets/attachment_links.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tickets/attachment_download.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

const core::Instant kNow{seconds{1'800'000'030}};  // 30 s into a minute

json::array files() {
    return json::array{json::object{{"id", "11"}, {"name", "a \"b\".pdf"}, {"size", 3}},
                       json::object{{"id", "2/2"}, {"name", "c"}, {"threadId", nullptr}}};
}

TEST(AttachmentLinks, PlainRenderIsTheSerializedArray) {
    const auto t = AttachmentsTemplate::make(files());
    EXPECT_EQ(AttachmentLinks::render_plain(t), json::serialize(files()));
    EXPECT_EQ(AttachmentLinks::render_plain(AttachmentsTemplate::make({})), "[]");
}

TEST(AttachmentLinks, EachObjectGetsItsSignedLink) {
    const auto signer = auth::LinkSigner::create(std::string(32, 'k')).value();
    const AttachmentLinks links(signer, seconds{900});
    const auto t = AttachmentsTemplate::make(files());

    const auto out = json::parse(links.render(t, "188", 100, kNow)).as_array();
    ASSERT_EQ(out.size(), 2u);
    const core::Instant expiry{seconds{1'800'000'000 + 900}};  // rounded to the minute
    for (std::size_t i = 0; i < 2; ++i) {
        auto object = out[i].as_object();
        const std::string url(object["downloadUrl"].as_string());
        object.erase("downloadUrl");
        EXPECT_EQ(object, files()[i].as_object());

        const auth::LinkClaims claims{"188", i == 0 ? "11" : "2/2", 100, expiry};
        EXPECT_EQ(url, download_path(claims, signer.sign(claims)));
    }
    EXPECT_EQ(std::string(out[1].as_object().at("downloadUrl").as_string())
                  .find("/api/attachments/188/2%2F2?c=c100&e=1800000900&s="),
              0u);
    // Within the step the answer is identical; past it the expiry moves on.
    EXPECT_EQ(links.render(t, "188", 100, kNow), links.render(t, "188", 100, kNow + seconds{29}));
    EXPECT_NE(links.render(t, "188", 100, kNow), links.render(t, "188", 100, kNow + seconds{30}));
    EXPECT_NE(links.render(t, "188", 100, kNow), links.render(t, "188", std::nullopt, kNow));
    EXPECT_EQ(links.render(AttachmentsTemplate::make({}), "188", 100, kNow), "[]");
}

TEST(AttachmentLinks, ShortLifetimesUseOneSecondSteps) {
    const auto signer = auth::LinkSigner::create(std::string(32, 'k')).value();
    EXPECT_EQ(AttachmentLinks(signer, seconds{3}).expiry(kNow), kNow + seconds{3});
    EXPECT_EQ(AttachmentLinks(signer, seconds{900}).expiry(kNow), kNow + seconds{870});
}

TEST(SameOriginTarget, OnlyTheConfiguredDeskHost) {
    const std::string base = "https://desk.zoho.com";
    const std::string path = "/api/v1/tickets/1/attachments/2/content";
    EXPECT_EQ(same_origin_target("https://desk.zoho.com" + path, base), path);
    EXPECT_EQ(same_origin_target("https://DESK.zoho.com:443" + path + "?x=1#f", base),
              path + "?x=1");
    EXPECT_EQ(same_origin_target("http://127.0.0.1:8000" + path, "http://127.0.0.1:8000"), path);
    EXPECT_EQ(same_origin_target("http://h" + path, "http://h:80"), path);

    for (const std::string& bad : std::initializer_list<std::string>{
             "http://desk.zoho.com" + path,           // scheme
             "https://desk.zoho.com:8443" + path,     // port
             "https://desk.zoho.eu" + path,           // another data centre
             "https://desk.zoho.com.evil.io" + path,  // a suffix is not the host
             "https://evil.io/desk.zoho.com" + path,  // nor is a path
             "https://u:p@desk.zoho.com" + path,      // credentials in the URL
             "https://desk.zoho.com/oauth/v2/token",  // not the Desk API
             "ftp://desk.zoho.com" + path,            // not the web
             "//desk.zoho.com" + path,                // no scheme
             path,                                    // relative
             "https://desk.zoho.com/api/v1/x y",      // not a URL
         }) {
        EXPECT_FALSE(same_origin_target(bad, base)) << bad;
    }
}

}  // namespace
}  // namespace deskbridge::tickets

namespace deskbridge::tickets {
namespace {

TEST(PublicBaseUrl, KeepsSchemeHostPortAndPathWithoutTheTrailingSlash) {
    EXPECT_EQ(public_base_url("https://oms.example.com").value(), "https://oms.example.com");
    EXPECT_EQ(public_base_url("https://oms.example.com/").value(), "https://oms.example.com");
    EXPECT_EQ(public_base_url("http://10.0.0.5:8080/desk/").value(), "http://10.0.0.5:8080/desk");
    EXPECT_EQ(public_base_url("https://[::1]:8443").value(), "https://[::1]:8443");
}

TEST(PublicBaseUrl, RefusesWhatCannotPrefixALink) {
    for (const char* bad :
         {"", "oms.example.com", "/desk", "ftp://oms.example.com", "https://u:p@oms.example.com",
          "https://oms.example.com/?x=1", "https://oms.example.com/#top", "https://",
          "https://oms.example.com/a b", "https://oms.example.com/\"x"}) {
        const auto r = public_base_url(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument) << bad;
        EXPECT_TRUE(r.error().message.starts_with("public URL '")) << r.error().message;
    }
}

TEST(AttachmentLinks, ABaseGoesBeforeEveryPath) {
    const auto signer = auth::LinkSigner::create(std::string(32, 'k')).value();
    const AttachmentLinks plain(signer, seconds{900});
    const AttachmentLinks based(signer, seconds{900}, "https://oms.example.com/desk");
    const auto t = AttachmentsTemplate::make(files());

    const auto a = json::parse(plain.render(t, "188", 100, kNow)).as_array();
    const auto b = json::parse(based.render(t, "188", 100, kNow)).as_array();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string path(a[i].as_object().at("downloadUrl").as_string());
        EXPECT_TRUE(path.starts_with("/api/attachments/")) << path;
        EXPECT_EQ(b[i].as_object().at("downloadUrl").as_string(),
                  "https://oms.example.com/desk" + path);
    }
}

}  // namespace
}  // namespace deskbridge::tickets
