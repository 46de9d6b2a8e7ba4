// The store against each real engine: a SQLite file, and a PostgreSQL database created for each
// test on the server that DESKBRIDGE_TEST_PG_URL names (scripts/test.sh starts one). Without
// that variable the PostgreSQL cases are skipped, never faked.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <latch>
#include <thread>

#include "store/detail/migrations.hpp"
#include "store/detail/postgres_connection.hpp"
#include "store/detail/sqlite_connection.hpp"
#include "store/store.hpp"

namespace deskbridge::store {
namespace {

namespace fs = std::filesystem;
using detail::Connection;
using detail::SqlValue;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kPgUrlVariable = "DESKBRIDGE_TEST_PG_URL";

// The URL with its database name replaced: postgresql://user:pass@host:port/NAME?params.
std::string with_database(const std::string& url, const std::string& name) {
    const auto authority = url.find("://") + 3;
    const auto query = url.find('?', authority);
    const auto path = std::min(url.find('/', authority), query);
    return url.substr(0, path) + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

std::int64_t as_int(const SqlValue& v) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return *n;
    }
    return std::stoll(std::get<std::string>(v));
}

class SqlStoreTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        tag_ = std::to_string(::getpid()) + "_" + test.substr(test.rfind('/') + 1);
        if (postgres()) {
            const char* url = std::getenv(kPgUrlVariable);
            if (url == nullptr || *url == '\0') {
                GTEST_SKIP() << kPgUrlVariable << " is not set; scripts/test.sh starts a "
                             << "throwaway PostgreSQL server and sets it";
            }
            server_url_ = url;
            auto admin = detail::open_postgres(server_url_);
            ASSERT_TRUE(admin.ok()) << admin.error().detail;
            admin_ = std::move(admin).value();
        } else {
            dir_ = fs::temp_directory_path() / ("deskbridge-store-" + tag_);
            fs::remove_all(dir_);
            fs::create_directories(dir_);
        }

        url_ = new_database("t");
        store_ = open_store(url_, StoreOptions{2}).value();
        ASSERT_TRUE(store_->migrate().ok());
        ASSERT_TRUE(store_->import(seed()).ok());
    }

    void TearDown() override {
        store_.reset();
        for (const auto& name : databases_) {
            // FORCE: a test that failed half-way may leave connections behind.
            const auto st = admin_->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            EXPECT_TRUE(st.ok()) << st.error().detail;
        }
        if (!dir_.empty()) {
            fs::remove_all(dir_);
        }
    }

    bool postgres() const { return GetParam() == "postgres"; }

    // A fresh, empty database of the engine under test; dropped at teardown.
    std::string new_database(const std::string& stem) {
        if (!postgres()) {
            return "sqlite:" + (dir_ / (stem + ".db")).string();
        }
        std::string name = "store_" + stem + "_" + std::to_string(::getpid()) + "_" +
                           std::to_string(databases_.size());
        const auto st = admin_->exec("CREATE DATABASE " + name);
        EXPECT_TRUE(st.ok()) << st.error().detail;
        databases_.push_back(name);
        return with_database(server_url_, name);
    }

    std::string database_name() const { return databases_.front(); }

    // A connection of our own to the test's database, beside the store's pool.
    std::unique_ptr<Connection> raw_connection(const detail::PostgresOptions& options = {}) {
        auto conn = postgres() ? detail::open_postgres(url_, options)
                               : detail::open_sqlite(url_.substr(std::string("sqlite:").size()));
        EXPECT_TRUE(conn.ok()) << conn.error().detail;
        return std::move(conn).value();
    }

    // What a server restart does to the store's connections: the server sends each the reason
    // and closes it. Returns how many it closed; waits until they are gone.
    std::int64_t drop_store_connections() {
        const SqlValue params[] = {database_name()};
        auto rows = admin_->query(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()) AS t",
            params);
        EXPECT_TRUE(rows.ok()) << rows.error().detail;
        return rows.ok() ? as_int(rows->at(0).at(0)) : -1;
    }

    void allow_connections(bool allow) {
        const auto st = admin_->exec("ALTER DATABASE " + database_name() +
                                     " WITH ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
        ASSERT_TRUE(st.ok()) << st.error().detail;
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
        d.api_users = {{"acme", "$argon2id$h", 1, false},
                       {"ops", "$argon2id$s", std::nullopt, true}};
        return d;
    }

    std::optional<TicketView> find(TicketQuery q) { return store_->find_ticket(q).value(); }

    std::string tag_;
    fs::path dir_;                        // SQLite files
    std::string server_url_;              // PostgreSQL: the server's own database
    std::unique_ptr<Connection> admin_;   // PostgreSQL: creates and drops the test databases
    std::vector<std::string> databases_;  // PostgreSQL: to drop at teardown
    std::string url_;
    std::unique_ptr<Store> store_;
};

// Reconnects, timeouts and the migration lock only exist on PostgreSQL.
class PostgresStoreTest : public SqlStoreTest {};

std::string engine_name(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

INSTANTIATE_TEST_SUITE_P(Engines,
                         SqlStoreTest,
                         ::testing::Values("sqlite", "postgres"),
                         engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, PostgresStoreTest, ::testing::Values("postgres"), engine_name);

// SQLite reports every write, from this store or another process's, before the next read;
// PostgreSQL, shared by many instances, reports nothing and so nothing is ever reused.
TEST_P(SqlStoreTest, ChangeGenerationMovesOnEveryWriteAndOnlyThen) {
    const auto first = store_->change_generation();
    if (postgres()) {
        EXPECT_FALSE(first.has_value());
        return;
    }
    ASSERT_TRUE(first.has_value());

    ASSERT_TRUE(find(TicketQuery{99, {}, {}, {}}).has_value());
    ASSERT_TRUE(store_->find_user_by_login("acme").ok());
    EXPECT_EQ(store_->change_generation(), first) << "reads must not count as changes";

    auto other = open_store(url_, StoreOptions{1}).value();  // as a CLI command would
    ASSERT_TRUE(other->set_client_blocked(1, true).ok());
    const auto after_other = store_->change_generation();
    ASSERT_TRUE(after_other.has_value());
    EXPECT_GT(*after_other, *first);

    ASSERT_TRUE(store_->set_client_blocked(1, false).ok());
    EXPECT_GT(*store_->change_generation(), *after_other);
}

TEST_P(SqlStoreTest, FindsATicketByEachIdentifierWithItsClientAndRequester) {
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
    EXPECT_EQ(find({100, {}, {}, {}})->client->apelido, "GLOBEX ÇÃO");
}

TEST_P(SqlStoreTest, RequiresEveryGivenIdentifierToMatch) {
    EXPECT_TRUE(find({99, "12345", "123456789012345678", {}}).has_value());
    EXPECT_FALSE(find({99, "555", {}, {}}).has_value());
    EXPECT_FALSE(find({100, {}, "123456789012345678", {}}).has_value());
}

TEST_P(SqlStoreTest, ClientScopeHidesOtherClientsTickets) {
    EXPECT_TRUE(find({99, {}, {}, 1}).has_value());
    EXPECT_FALSE(find({99, {}, {}, 2}).has_value());
    EXPECT_FALSE(find({{}, "12345", {}, 2}).has_value());
    EXPECT_TRUE(find({{}, "555", {}, 2}).has_value());
}

TEST_P(SqlStoreTest, TreatsSqlMetacharactersAsPlainText) {
    EXPECT_FALSE(find({{}, "' OR 1=1 --", {}, {}}).has_value());
    EXPECT_FALSE(find({{}, {}, "1; DROP TABLE tickets", {}}).has_value());
    EXPECT_TRUE(find({99, {}, {}, {}}).has_value());
}

TEST_P(SqlStoreTest, NeverMatchesAPrefixOfAValueHoldingNul) {
    // libpq takes C strings: without a guard "12345\0x" would be sent as "12345".
    const auto r = store_->find_ticket({{}, std::string("12345\0x", 7), {}, {}});
    if (postgres()) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument);
    } else {
        ASSERT_TRUE(r.ok());
        EXPECT_FALSE(r->has_value());
    }
}

TEST_P(SqlStoreTest, ImportIsAllOrNothingAndNamesTheBadReference) {
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

TEST_P(SqlStoreTest, ImportUpsertsById) {
    ImportData d;
    d.clients = {{1, "ACME RENAMED", "111", true}};
    ASSERT_TRUE(store_->import(d).ok());
    EXPECT_EQ(find({99, {}, {}, {}})->client->apelido, "ACME RENAMED");
    EXPECT_TRUE(store_->find_user_by_login("acme").value()->client_blocked);
}

TEST_P(SqlStoreTest, PasswordChangeAndDisableBumpTheCredentialVersion) {
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

TEST_P(SqlStoreTest, AccountCommandsValidateTheirTargets) {
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

TEST_P(SqlStoreTest, MigrateIsIdempotentAndRefusesANewerSchema) {
    ASSERT_TRUE(store_->migrate().ok());
    ASSERT_TRUE(store_->check_schema().ok());

    auto conn = raw_connection();
    ASSERT_TRUE(conn->exec("INSERT INTO schema_migrations VALUES (999, 'future')").ok());
    const auto st = store_->migrate();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("newer than this build knows"), std::string::npos);
    EXPECT_FALSE(store_->check_schema().ok());
}

TEST_P(SqlStoreTest, ProcessesMigratingOneEmptyDatabaseAtOnceAllSucceed) {
    constexpr int kRounds = 3;
    constexpr int kMigrators = 4;  // each with its own store, as separate processes would be
    for (int round = 0; round < kRounds; ++round) {
        const std::string url = new_database("concurrent" + std::to_string(round));
        std::vector<std::unique_ptr<Store>> stores;
        for (int i = 0; i < kMigrators; ++i) {
            stores.push_back(open_store(url, StoreOptions{1}).value());
        }

        std::latch start(kMigrators);
        std::vector<std::future<core::Status>> results;
        for (auto& s : stores) {
            results.push_back(std::async(std::launch::async, [&start, store = s.get()] {
                start.arrive_and_wait();
                return store->migrate();
            }));
        }
        for (auto& r : results) {
            const auto st = r.get();
            EXPECT_TRUE(st.ok()) << "round " << round << ": " << st.error().detail;
        }
        EXPECT_TRUE(stores.front()->check_schema().ok()) << "round " << round;
    }
}

TEST_P(SqlStoreTest, DatabaseErrorsKeepTheServerTextOutOfTheMessage) {
    auto conn = raw_connection();
    auto rows = conn->query("SELECT nope FROM no_such_table", {});
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.error().kind, core::ErrorKind::kInternal);
    EXPECT_EQ(rows.error().message, "database error");
    EXPECT_NE(rows.error().detail.find("no_such_table"), std::string::npos) << rows.error().detail;

    const auto st = conn->exec("THIS IS NOT SQL");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().kind, core::ErrorKind::kInternal);
    EXPECT_TRUE(conn->query("SELECT 1", {}).ok()) << "the connection stays usable";
}

TEST_P(SqlStoreTest, IntegerColumnsComeBackAsIntegers) {
    auto conn = raw_connection();
    const SqlValue params[] = {std::int64_t{9'007'199'254'740'993}, std::string("x")};
    auto rows = conn->query(
        "SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), NULL, COUNT(*) FROM clients", params);
    ASSERT_TRUE(rows.ok()) << rows.error().detail;
    const auto& row = rows->at(0);
    EXPECT_EQ(std::get<std::int64_t>(row.at(0)), 9'007'199'254'740'993);
    EXPECT_EQ(std::get<std::string>(row.at(1)), "x");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(row.at(2)));
    EXPECT_EQ(std::get<std::int64_t>(row.at(3)), 2);
}

TEST_P(PostgresStoreTest, AcceptsBothUrlSchemesAndRejectsABadOne) {
    const std::string short_scheme = "postgres://" + url_.substr(url_.find("://") + 3);
    auto s = open_store(short_scheme, StoreOptions{1});
    ASSERT_TRUE(s.ok()) << s.error().detail;
    EXPECT_TRUE((*s)->find_ticket({99, {}, {}, {}}).value().has_value());

    auto bad = open_store("postgresql://user@127.0.0.1/db?no_such_option=1", StoreOptions{1});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidArgument);
}

TEST_P(PostgresStoreTest, AnUnreachableServerFailsAtOpenWithUnavailable) {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const auto started = Clock::now();
    auto s = open_store("postgresql://deskbridge:x@127.0.0.1:1/deskbridge", StoreOptions{1});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_EQ(s.error().message, "database unavailable");
    EXPECT_LT(Clock::now() - started, seconds{3});
}

TEST_P(PostgresStoreTest, ReconnectsWithoutAFailedCallAfterTheServerDropsItsConnections) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(find({99, {}, {}, {}}).has_value());
        ASSERT_TRUE(store_->set_password("acme", "$argon2id$" + std::to_string(i)).ok());
        EXPECT_GE(drop_store_connections(), 1);

        // The pool's connection is dead now; the store must notice before using it.
        auto found = store_->find_ticket({99, {}, {}, {}});
        ASSERT_TRUE(found.ok()) << "round " << i << ": " << found.error().detail;
        EXPECT_TRUE(found->has_value());
        EXPECT_TRUE(store_->find_user_by_login("acme").ok());
    }
}

TEST_P(PostgresStoreTest, AnswersFastWhileTheDatabaseIsDownAndRecoversByItself) {
    ASSERT_TRUE(find({99, {}, {}, {}}).has_value());
    allow_connections(false);
    EXPECT_GE(drop_store_connections(), 1);

    const auto down = Clock::now();
    int backing_off = 0;
    for (int i = 0; i < 20; ++i) {
        const auto call = Clock::now();
        auto r = store_->find_ticket({99, {}, {}, {}});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, core::ErrorKind::kUnavailable);
        EXPECT_EQ(r.error().message, "database unavailable");
        EXPECT_LT(Clock::now() - call, milliseconds{500}) << "call " << i;
        backing_off += r.error().detail.starts_with("waiting to reconnect") ? 1 : 0;
    }
    EXPECT_LT(Clock::now() - down, seconds{2});
    EXPECT_GE(backing_off, 10) << "calls between attempts must not try to connect";

    // Back up: the backoff is capped at 2 s, so the store follows within about that.
    allow_connections(true);
    const auto up = Clock::now();
    bool recovered = false;
    while (!recovered && Clock::now() - up < seconds{5}) {
        recovered = store_->find_ticket({99, {}, {}, {}}).ok();
        if (!recovered) {
            std::this_thread::sleep_for(milliseconds{50});
        }
    }
    EXPECT_TRUE(recovered);
    EXPECT_LT(Clock::now() - up, milliseconds{3000});
}

TEST_P(PostgresStoreTest, ATransactionCutByADroppedConnectionIsNeverFinishedOnANewOne) {
    auto conn = raw_connection();
    ASSERT_TRUE(conn->exec("BEGIN").ok());
    const SqlValue first[] = {std::int64_t{7}};
    ASSERT_TRUE(conn->query("INSERT INTO clients (id, apelido) VALUES ($1, 'x')", first).ok());
    EXPECT_GE(drop_store_connections(), 1);

    const SqlValue second[] = {std::int64_t{8}};
    auto lost = conn->query("INSERT INTO clients (id, apelido) VALUES ($1, 'y')", second);
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_FALSE(conn->query("SELECT 1", {}).ok()) << "still inside the lost transaction";
    EXPECT_FALSE(conn->exec("COMMIT").ok()) << "the commit must report the loss";

    auto count = conn->query("SELECT COUNT(*) FROM clients WHERE id IN (7, 8)", {});
    ASSERT_TRUE(count.ok()) << "a new transaction may use a new connection";
    EXPECT_EQ(as_int(count->at(0).at(0)), 0);
}

TEST_P(PostgresStoreTest, ALostTransactionEndsCleanlyWithRollback) {
    auto conn = raw_connection();
    ASSERT_TRUE(conn->exec("BEGIN").ok());
    EXPECT_GE(drop_store_connections(), 1);
    EXPECT_FALSE(conn->query("SELECT 1", {}).ok());
    EXPECT_TRUE(conn->exec("ROLLBACK").ok()) << "nothing is left to roll back";
    EXPECT_TRUE(conn->query("SELECT 1", {}).ok());
}

TEST_P(PostgresStoreTest, SlowStatementsHitTheStatementTimeout) {
    EXPECT_EQ(
        std::get<std::string>(raw_connection()->query("SHOW statement_timeout", {})->at(0).at(0)),
        "5s");

    detail::PostgresOptions options;
    options.statement_timeout = milliseconds{200};
    auto conn = raw_connection(options);
    const auto started = Clock::now();
    auto rows = conn->query("SELECT pg_sleep(3)", {});
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_EQ(rows.error().message, "database busy");
    EXPECT_LT(Clock::now() - started, seconds{2});
    EXPECT_TRUE(conn->query("SELECT 1", {}).ok());
}

TEST_P(PostgresStoreTest, MigrateWaitsForTheMigrationLockAndReleasesIt) {
    const std::string url = new_database("locked");
    auto holder = detail::open_postgres(url).value();
    const SqlValue key[] = {detail::kMigrationLockKey};
    ASSERT_TRUE(holder->query("SELECT pg_advisory_lock($1)", key).ok());

    auto store = open_store(url, StoreOptions{1}).value();
    auto migrating = std::async(std::launch::async, [&] { return store->migrate(); });
    EXPECT_EQ(migrating.wait_for(milliseconds{500}), std::future_status::timeout)
        << "migrate must wait while another process holds the lock";
    ASSERT_TRUE(holder->query("SELECT pg_advisory_unlock($1)", key).ok());
    const auto st = migrating.get();
    ASSERT_TRUE(st.ok()) << st.error().detail;

    const auto free_now = [&] {
        auto rows = holder->query("SELECT pg_try_advisory_lock($1)", key);
        const bool got = rows.ok() && std::get<std::string>(rows->at(0).at(0)) == "t";
        (void)holder->query("SELECT pg_advisory_unlock($1)", key);
        return got;
    };
    EXPECT_TRUE(free_now()) << "released after a successful migrate";

    ASSERT_TRUE(holder->exec("INSERT INTO schema_migrations VALUES (999, 'future')").ok());
    EXPECT_FALSE(store->migrate().ok());
    EXPECT_TRUE(free_now()) << "released after a refused migrate";
}

// Instances renewing the shared Zoho token at once, each with its own store as separate
// processes would have: the first grants inside the lock, the others keep its token.
TEST_P(SqlStoreTest, InstancesRenewingTheZohoTokenAtOnceGrantOnce) {
    constexpr int kInstances = 4;
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < kInstances; ++i) {
        stores.push_back(open_store(url_, StoreOptions{1}).value());
    }
    EXPECT_FALSE(store_->load_zoho_token("client").value().has_value());

    std::atomic<int> grants{0};
    const auto keep = [](const ZohoToken& t) { return !t.access_token.empty(); };
    const auto grant = [&grants]() -> core::Result<ZohoToken> {
        std::this_thread::sleep_for(milliseconds{200});  // long enough for the others to queue
        return ZohoToken{"token-" + std::to_string(++grants), 2000, 3000, 0};
    };
    std::latch start(kInstances);
    std::vector<std::future<core::Result<ZohoToken>>> results;
    for (auto& s : stores) {
        results.push_back(std::async(std::launch::async, [&, store = s.get()] {
            start.arrive_and_wait();
            return store->renew_zoho_token("client", keep, grant);
        }));
    }
    for (auto& r : results) {
        auto token = r.get();
        ASSERT_TRUE(token.ok()) << token.error().detail;
        EXPECT_EQ(token->access_token, "token-1");
        EXPECT_EQ(token->generation, 1);
    }
    EXPECT_EQ(grants.load(), 1);

    const auto stored = store_->load_zoho_token("client").value();
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->access_token, "token-1");
    EXPECT_EQ(stored->renew_at, 2000);
    EXPECT_EQ(stored->expires_at, 3000);
    EXPECT_FALSE(store_->load_zoho_token("other client").value().has_value());
}

TEST_P(SqlStoreTest, AFailedZohoGrantStoresNothingAndReleasesTheLock) {
    const auto refuse = [](const ZohoToken&) { return false; };
    auto failed = store_->renew_zoho_token("client", refuse, []() -> core::Result<ZohoToken> {
        return core::Error::unavailable("Zoho refused the token grant (Access Denied)");
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message, "Zoho refused the token grant (Access Denied)");
    // The transaction rolled back: not even the row the lock was taken on remains.
    EXPECT_FALSE(store_->load_zoho_token("client").value().has_value());

    auto other = open_store(url_, StoreOptions{1}).value();
    auto renewed = other->renew_zoho_token("client", refuse, []() -> core::Result<ZohoToken> {
        return ZohoToken{"second", 1, 2, 0};
    });
    ASSERT_TRUE(renewed.ok()) << renewed.error().detail;
    EXPECT_EQ(renewed->generation, 1);
    EXPECT_EQ(store_->load_zoho_token("client").value()->access_token, "second");
}

TEST_P(SqlStoreTest, AFetchLeaseHasOneOwnerUntilReleasedOrExpired) {
    const auto in = [](int s) {
        return std::chrono::floor<seconds>(std::chrono::system_clock::now()) + seconds{s};
    };
    EXPECT_TRUE(store_->take_fetch_lease("t1", "a", in(10)).value());
    EXPECT_FALSE(store_->take_fetch_lease("t1", "b", in(10)).value());
    EXPECT_TRUE(store_->take_fetch_lease("t2", "b", in(10)).value()) << "leases are per ticket";

    ASSERT_TRUE(store_->release_fetch_lease("t1", "b").ok());
    EXPECT_FALSE(store_->take_fetch_lease("t1", "b", in(10)).value()) << "only the owner frees it";
    ASSERT_TRUE(store_->release_fetch_lease("t1", "a").ok());
    EXPECT_TRUE(store_->take_fetch_lease("t1", "b", in(-1)).value());
    EXPECT_TRUE(store_->take_fetch_lease("t1", "c", in(10)).value()) << "an expired lease is free";
}

}  // namespace
}  // namespace deskbridge::store
