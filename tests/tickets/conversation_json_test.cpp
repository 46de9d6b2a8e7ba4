#include "tickets/conversation_json.hpp"

#include <gtest/gtest.h>

#include <set>

namespace deskbridge::tickets {
namespace {

const core::TimeZone& zone() {
    static const auto z = core::TimeZone::locate("America/Sao_Paulo").value();
    return z;
}

zoho::Thread thread(std::string id, std::int64_t ms, std::string visibility = "public") {
    zoho::Thread t;
    t.id = std::move(id);
    t.created_ms = ms;
    t.visibility = std::move(visibility);
    t.status = "SUCCESS";
    return t;
}

zoho::Attachment file(std::string id, std::string name, std::int64_t size) {
    zoho::Attachment a;
    a.id = std::move(id);
    a.name = std::move(name);
    a.size = size;
    return a;
}

TEST(FormatSize, Uses1024StepsWithAtMostOneDecimal) {
    EXPECT_EQ(format_size(0), "0 B");
    EXPECT_EQ(format_size(512), "512 B");
    EXPECT_EQ(format_size(1023), "1023 B");
    EXPECT_EQ(format_size(1024), "1 KB");
    EXPECT_EQ(format_size(102400), "100 KB");
    EXPECT_EQ(format_size(1536), "1.5 KB");
    EXPECT_EQ(format_size(1572864), "1.5 MB");
    EXPECT_EQ(format_size(1048575), "1 MB") << "1023.999 KB rounds up to the next unit";
    EXPECT_EQ(format_size(5LL * 1024 * 1024 * 1024), "5 GB");
}

TEST(ThreadsJson, MapsFieldsInTheDisplayZoneAndHidesPrivateFromClients) {
    zoho::Conversation c;
    auto t = thread("111", 1778434200000);
    t.channel = "EMAIL";
    t.direction = "in";
    t.author_name = "João";
    t.content = "<p>Olá</p>";
    t.attachment_count = 1;
    t.has_attach = true;
    c.threads = {t, thread("222", 1778434300000, "private")};

    const auto staff = threads_to_json(c, zone(), true);
    ASSERT_EQ(staff.size(), 2u);
    const auto& first = staff[0].as_object();
    EXPECT_EQ(first.at("data").as_string(), "2026-05-10 14:30:00");
    EXPECT_EQ(first.at("canal").as_string(), "EMAIL");
    EXPECT_EQ(first.at("autor").as_string(), "João");
    EXPECT_EQ(first.at("conteudo").as_string(), "<p>Olá</p>");
    EXPECT_EQ(first.at("attachmentCount").as_int64(), 1);
    EXPECT_TRUE(first.at("hasAttach").as_bool());
    EXPECT_EQ(first.size(), 11u);

    const auto client = threads_to_json(c, zone(), false);
    ASSERT_EQ(client.size(), 1u);
    EXPECT_EQ(client[0].at("id").as_string(), "111");
}

TEST(AttachmentsJson, MergesThreadAndTicketListsOncePerId) {
    zoho::Conversation c;
    auto pub = thread("1", 1778434200000);
    pub.attachments = {file("a", "nota.pdf", 102400)};
    pub.attachments[0].thread_id = "1";
    auto priv = thread("2", 1778434300000, "private");
    priv.attachments = {file("b", "interno.xlsx", 512)};
    priv.attachments[0].thread_id = "2";
    c.threads = {pub, priv};

    auto dup = file("a", "nota.pdf", 102400);
    auto ticket_level = file("c", "foto.PNG", 1536);
    ticket_level.created = core::from_epoch_millis(1778434400000);
    ticket_level.content_type = std::nullopt;
    auto hidden = file("b", "interno.xlsx", 512);
    c.attachments = {dup, ticket_level, hidden};

    const auto client = attachments_to_json(c, zone(), false);
    ASSERT_EQ(client.size(), 2u);
    EXPECT_EQ(client[0].at("id").as_string(), "a");
    EXPECT_EQ(client[0].at("threadId").as_string(), "1");
    EXPECT_EQ(client[0].at("sizeFormatted").as_string(), "100 KB");
    EXPECT_EQ(client[0].at("contentType").as_string(), "application/pdf");
    EXPECT_EQ(client[0].at("createdTime").as_string(), "2026-05-10 14:30:00");
    EXPECT_EQ(client[1].at("id").as_string(), "c");
    EXPECT_TRUE(client[1].at("threadId").is_null());
    EXPECT_EQ(client[1].at("contentType").as_string(), "image/png");
    EXPECT_EQ(client[1].at("size").as_int64(), 1536);

    EXPECT_EQ(attachments_to_json(c, zone(), true).size(), 3u);
}

TEST(AttachmentsJson, FallsBackToOctetStreamForUnknownTypes) {
    zoho::Conversation c;
    c.attachments = {file("x", "dump.zzzz", 10), file("y", "noextension", 10)};
    const auto out = attachments_to_json(c, zone(), true);
    EXPECT_EQ(out[0].at("contentType").as_string(), "application/octet-stream");
    EXPECT_EQ(out[1].at("contentType").as_string(), "application/octet-stream");
}

TEST(FindVisibleAttachment, AgreesWithTheListEachReaderIsShown) {
    zoho::Conversation c;
    auto open = thread("1", 1778434200000);
    open.attachments = {file("a", "a.pdf", 1)};
    auto note = thread("2", 1778434300000, "private");
    note.attachments = {file("p", "p.pdf", 1)};
    auto draft = thread("3", 1778434400000);
    draft.status = "DRAFT";
    draft.attachments = {file("d", "d.pdf", 1)};
    c.threads = {open, note, draft};
    auto hidden = file("h", "h.pdf", 1);
    hidden.is_public = false;
    // The ticket-level list repeats the private thread's file as public: the thread decides.
    c.attachments = {file("t", "t.pdf", 1), hidden, file("p", "p.pdf", 1)};

    for (const bool staff : {false, true}) {
        std::set<std::string> listed;
        for (const auto& f : attachments_to_json(c, zone(), staff)) {
            listed.insert(std::string(f.as_object().at("id").as_string()));
        }
        for (const std::string id : {"a", "p", "d", "t", "h", "nope"}) {
            const auto* found = find_visible_attachment(c, id, staff);
            EXPECT_EQ(found != nullptr, listed.count(id) == 1) << id << " staff=" << staff;
            if (found != nullptr) {
                EXPECT_EQ(found->id, id);
            }
        }
    }
    EXPECT_FALSE(find_visible_attachment(c, "p", false));
    EXPECT_TRUE(find_visible_attachment(c, "p", true));
    EXPECT_FALSE(find_visible_attachment(c, "d", true)) << "a draft's files are never shown";
}

TEST(ZohoTicketJson, HasExactlyTheContractFields) {
    zoho::Ticket t;
    t.id = "123";
    t.ticket_number = "12345";
    t.order_number = "555";
    const auto o = zoho_ticket_to_json(t, "cf_numero_do_pedido", "cf_numero_da_nota_fiscal");
    EXPECT_EQ(o.size(), 12u);
    for (const char* key :
         {"id", "ticketNumber", "subject", "description", "status", "priority", "category",
          "departmentName", "createdTime", "modifiedTime", "webUrl", "cf"}) {
        EXPECT_TRUE(o.contains(key)) << key;
    }
    EXPECT_EQ(o.at("cf").at("cf_numero_do_pedido").as_string(), "555");
    EXPECT_TRUE(o.at("cf").at("cf_numero_da_nota_fiscal").is_null());
}

}  // namespace
}  // namespace deskbridge::tickets
