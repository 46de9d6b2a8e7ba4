// The store against a real SQLite file. PostgreSQL joins through the same fixture later.

#include <gtest/gtest.h>

#include <filesystem>

#include "store/detail/migrations.hpp"
#include "store/detail/sqlite_connection.hpp"
#include "store/store.hpp"

namespace deskbridge::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class SqlStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("deskbridge-store-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        url_ = "sqlite:" + (dir_ / "t.db").string();
        store_ = open_store(url_, StoreOptions{2}).value();
        ASSERT_TRUE(store_->migrate().ok());
        ASSERT_TRUE(store_->import(seed()).ok());
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }

    static ImportData seed() {
        ImportData d;
        d.clients = {{1, "ACME", "111", false}, {2, "GLOBEX ÇÃO", std::nullopt, false}};
        d.requesters = {{10, "Ana", "ana@acme", 1}};
        Ticket a;
        a.id = 99;
        a.ticket_number = "12345";
        a.zoho_id = "123456789012345678";
        a.subject = "Avaria";
        a.created_at = core::Instant{seconds{1'778'434'200}};
        a.client_id = 1;
        a.requester_id = 10;
        Ticket b;
        b.id = 100;
        b.ticket_number = "555";
        b.client_id = 2;
        d.tickets = {a, b};
        d.api_users = {{"acme", "$argon2id$h", 1, false}, {"ops", "$argon2id$s", std::nullopt, true}};
        return d;
    }

    std::optional<TicketView> find(TicketQuery q) { return store_->find_ticket(q).value(); }

    fs::path dir_;
    std::string url_;
    std::unique_ptr<Store> store_;
};

TEST_F(SqlStoreTest, FindsATicketByEachIdentifierWithItsClientAndRequester) {
    for (const TicketQuery& q : {TicketQuery{99, {}, {}, {}}, TicketQuery{{}, "12345", {}, {}},
                                 TicketQuery{{}, {}, "123456789012345678", {}}}) {
        const auto v = find(q);
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->ticket.id, 99);
        EXPECT_EQ(v->ticket.subject, "Avaria");
        EXPECT_EQ(v->ticket.created_at, core::Instant{seconds{1'778'434'200}});
        ASSERT_TRUE(v->client.has_value());
        EXPECT_EQ(v->client->apelido, "ACME");
        ASSERT_TRUE(v->requester.has_value());
        EXPECT_EQ(v->requester->email, "ana@acme");
    }
}

TEST_F(SqlStoreTest, RequiresEveryGivenIdentifierToMatch) {
    EXPECT_TRUE(find({99, "12345", "123456789012345678", {}}).has_value());
    EXPECT_FALSE(find({99, "555", {}, {}}).has_value());
    EXPECT_FALSE(find({100, {}, "123456789012345678", {}}).has_value());
}

TEST_F(SqlStoreTest, ClientScopeHidesOtherClientsTickets) {
    EXPECT_TRUE(find({99, {}, {}, 1}).has_value());
    EXPECT_FALSE(find({99, {}, {}, 2}).has_value());
    EXPECT_FALSE(find({{}, "12345", {}, 2}).has_value());
    EXPECT_TRUE(find({{}, "555", {}, 2}).has_value());
}

TEST_F(SqlStoreTest, TreatsSqlMetacharactersAsPlainText) {
    EXPECT_FALSE(find({{}, "' OR 1=1 --", {}, {}}).has_value());
    EXPECT_FALSE(find({{}, {}, "1; DROP TABLE tickets", {}}).has_value());
    EXPECT_TRUE(find({99, {}, {}, {}}).has_value());
}

TEST_F(SqlStoreTest, ImportIsAllOrNothingAndNamesTheBadReference) {
    ImportData d;
    d.clients = {{3, "NEW", {}, false}};
    Ticket t;
    t.id = 500;
    t.client_id = 3;
    Ticket bad;
    bad.id = 501;
    bad.requester_id = 777;
    d.tickets = {t, bad};

    const auto st = store_->import(d);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message, "tickets[1].requester_id: requester 777 does not exist");
    EXPECT_FALSE(find({500, {}, {}, {}}).has_value()) << "the good rows must roll back too";
}

TEST_F(SqlStoreTest, ImportUpsertsById) {
    ImportData d;
    d.clients = {{1, "ACME RENAMED", "111", true}};
    ASSERT_TRUE(store_->import(d).ok());
    EXPECT_EQ(find({99, {}, {}, {}})->client->apelido, "ACME RENAMED");
    EXPECT_TRUE(store_->find_user_by_login("acme").value()->client_blocked);
}

TEST_F(SqlStoreTest, PasswordChangeAndDisableBumpTheCredentialVersion) {
    const auto before = store_->find_user_by_login("acme").value().value();
    ASSERT_TRUE(store_->set_password("acme", "$argon2id$new").ok());
    const auto after = store_->find_user_by_id(before.id).value().value();
    EXPECT_EQ(after.credential_version, before.credential_version + 1);
    EXPECT_EQ(after.password_hash, "$argon2id$new");

    ASSERT_TRUE(store_->disable_user("acme").ok());
    const auto disabled = store_->find_user_by_id(before.id).value().value();
    EXPECT_TRUE(disabled.disabled);
    EXPECT_EQ(disabled.credential_version, before.credential_version + 2);

    EXPECT_EQ(store_->disable_user("nobody").error().kind, core::ErrorKind::kNotFound);
}

TEST_F(SqlStoreTest, AccountCommandsValidateTheirTargets) {
    EXPECT_EQ(store_->add_client({1, "dup", {}, false}).error().kind,
              core::ErrorKind::kInvalidArgument);
    EXPECT_EQ(store_->set_client_blocked(42, true).error().kind, core::ErrorKind::kNotFound);
    EXPECT_EQ(store_->add_user({"acme", "$argon2id$x", 1, false}).error().kind,
              core::ErrorKind::kInvalidArgument);
    EXPECT_EQ(store_->add_user({"new", "$argon2id$x", 42, false}).error().kind,
              core::ErrorKind::kInvalidArgument);
    ASSERT_TRUE(store_->add_user({"new", "$argon2id$x", 2, false}).ok());
    ASSERT_TRUE(store_->set_client_blocked(2, true).ok());
    EXPECT_TRUE(store_->find_user_by_login("new").value()->client_blocked);
}

TEST_F(SqlStoreTest, MigrateIsIdempotentAndRefusesANewerSchema) {
    ASSERT_TRUE(store_->migrate().ok());
    ASSERT_TRUE(store_->check_schema().ok());

    auto conn = detail::open_sqlite((dir_ / "t.db").string()).value();
    ASSERT_TRUE(conn->exec("INSERT INTO schema_migrations VALUES (999, 'future')").ok());
    const auto st = store_->migrate();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("newer than this build knows"), std::string::npos);
    EXPECT_FALSE(store_->check_schema().ok());
}

}  // namespace
}  // namespace deskbridge::store
