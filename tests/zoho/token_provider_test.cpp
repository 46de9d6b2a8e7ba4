// TokenProvider sharing its token through a real SQLite database, the way instances share it.
// Zoho Accounts is an address that refuses connections: every grant attempt fails at once and
// is counted, so a test sees exactly when the provider asked Zoho and when the database sufficed.

#include "zoho/token_provider.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "app/zoho_token_store.hpp"
#include "store/store.hpp"

namespace deskbridge::zoho {
namespace {

namespace fs = std::filesystem;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class TokenProviderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("deskbridge-tokens-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        store_ = store::open_store("sqlite:" + (dir_ / "t.db").string(), {2}).value();
        ASSERT_TRUE(store_->migrate().ok());
        shared_ = std::make_unique<app::DatabaseTokenStore>(*store_, "client-1");

        config_.client_id = "client-1";
        config_.client_secret = "secret";
        config_.refresh_token = "refresh";
        config_.org_id = "1";
        config_.accounts_url = "http://127.0.0.1:1";  // nothing listens: a grant fails at once
    }

    void TearDown() override {
        shared_.reset();
        store_.reset();
        fs::remove_all(dir_);
    }

    // What another instance does when it has granted `token`.
    void store_from_another_instance(const std::string& token, std::int64_t renew_in) {
        auto st = shared_->renew([](const SharedToken&) { return false; },
                                 [&]() -> core::Result<SharedToken> {
                                     const auto now = unix_now();
                                     return SharedToken{token, now + renew_in, now + 3600, 0};
                                 });
        ASSERT_TRUE(st.ok()) << st.error().detail;
    }

    // get(), waited for; `grants` counts the grant attempts it made.
    core::Result<std::string> get(TokenProvider& p, int& grants) {
        std::atomic<int> calls{0};
        std::promise<core::Result<std::string>> done;
        p.get(Clock::now() + std::chrono::seconds(5), &calls,
              [&done](core::Result<std::string> r) { done.set_value(std::move(r)); });
        auto result = done.get_future().get();
        grants = calls.load();
        return result;
    }

    fs::path dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<app::DatabaseTokenStore> shared_;
    ZohoConfig config_;
    HttpClient http_{HttpClientOptions{}};
};

TEST_F(TokenProviderTest, AdoptsAFreshTokenAnotherInstanceStoredWithoutAGrant) {
    store_from_another_instance("from-b", 3000);
    TokenProvider provider(http_, config_, shared_.get());

    int grants = -1;
    auto token = get(provider, grants);
    ASSERT_TRUE(token.ok()) << token.error().message;
    EXPECT_EQ(*token, "from-b");
    EXPECT_EQ(grants, 0);

    token = get(provider, grants);
    EXPECT_EQ(*token, "from-b");
    EXPECT_EQ(grants, 0) << "the second call is answered from memory";
}

TEST_F(TokenProviderTest, ARefusedTokenIsNeverAdoptedAgainButAnotherInstancesReplacementIs) {
    store_from_another_instance("first", 3000);
    TokenProvider provider(http_, config_, shared_.get());
    int grants = -1;
    ASSERT_EQ(get(provider, grants).value(), "first");

    // Zoho refused it and the database still holds it: only a grant can help.
    provider.invalidate("first");
    auto token = get(provider, grants);
    EXPECT_FALSE(token.ok());
    EXPECT_EQ(grants, 1);
    EXPECT_EQ(store_->load_zoho_token("client-1").value()->access_token, "first")
        << "a failed grant leaves the stored token alone";

    // Another instance saw the same refusal and granted first: no second grant here.
    store_from_another_instance("second", 3000);
    token = get(provider, grants);
    ASSERT_TRUE(token.ok()) << token.error().message;
    EXPECT_EQ(*token, "second");
    EXPECT_EQ(grants, 0);
}

TEST_F(TokenProviderTest, AStoredTokenPastItsRenewalTimeIsNotUsed) {
    store_from_another_instance("old", -1);
    TokenProvider provider(http_, config_, shared_.get());

    int grants = -1;
    EXPECT_FALSE(get(provider, grants).ok());
    EXPECT_EQ(grants, 1);
}

TEST_F(TokenProviderTest, InvalidatingAnOlderTokenKeepsTheCurrentOne) {
    store_from_another_instance("current", 3000);
    TokenProvider provider(http_, config_, shared_.get());
    int grants = -1;
    ASSERT_EQ(get(provider, grants).value(), "current");

    provider.invalidate("older");
    EXPECT_EQ(get(provider, grants).value(), "current");
    EXPECT_EQ(grants, 0);
}

}  // namespace
}  // namespace deskbridge::zoho
