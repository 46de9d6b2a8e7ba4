#include "zoho/cache_codec.hpp"

#include <gtest/gtest.h>

namespace deskbridge::zoho {
namespace {

TEST(CacheCodec, RoundTripsAThreadWithItsFiles) {
    Thread t;
    t.id = "123456789012350001";
    t.created_ms = 1778434200123;
    t.channel = "EMAIL";
    t.direction = "in";
    t.author_name = "João";
    t.author_email = "joao@x.com";
    t.summary = "Oi";
    t.content = "<p>\"Olá\"</p>";
    t.visibility = "private";
    t.status = "SUCCESS";
    t.has_attach = true;
    t.attachment_count = 1;
    Attachment a;
    a.id = "18921000000379001";
    a.name = "nf.pdf";
    a.size = 1079;
    a.href = "https://desk/x";
    a.thread_id = t.id;
    t.attachments = {a};

    const Thread back = decode_thread(encode_thread(t)).value();
    EXPECT_EQ(back.id, t.id);
    EXPECT_EQ(back.created_ms, t.created_ms);
    EXPECT_EQ(back.author_name, "João");
    EXPECT_EQ(back.content, t.content);
    EXPECT_TRUE(back.is_private());
    EXPECT_EQ(back.attachment_count, 1);
    ASSERT_EQ(back.attachments.size(), 1u);
    EXPECT_EQ(back.attachments[0].id, a.id);
    EXPECT_EQ(back.attachments[0].size, 1079);
    EXPECT_EQ(back.attachments[0].thread_id, t.id);
}

TEST(CacheCodec, RoundTripsTicketAttachments) {
    Attachment a;
    a.id = "1";
    a.name = "x.png";
    a.content_type = "image/png";
    a.created = core::from_epoch_millis(1778434200000);
    a.is_public = false;
    const auto back = decode_attachments(encode_attachments({a})).value();
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].content_type, "image/png");
    EXPECT_EQ(back[0].created, a.created);
    EXPECT_FALSE(back[0].is_public);
    EXPECT_TRUE(back[0].thread_id.empty());
}

TEST(CacheCodec, RejectsDamagedEntries) {
    EXPECT_FALSE(decode_thread("{not json").ok());
    EXPECT_FALSE(decode_thread(R"({"content": "no id"})").ok());
    EXPECT_FALSE(decode_attachments(R"({"id": "1"})").ok());
}

}  // namespace
}  // namespace deskbridge::zoho
