// Logins and token checks against a real SQLite store: every way of failing does the same work
// as succeeding, so that timing does not tell which logins or users exist.

#include "auth/authenticator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include "auth/password.hpp"

namespace deskbridge::auth {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class AuthenticatorTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("deskbridge-auth-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        store_ = store::open_store("sqlite:" + (dir_ / "auth.db").string(), store::StoreOptions{1})
                     .value();
        ASSERT_TRUE(store_->migrate().ok());
        for (const char* login : {"ops", "gone"}) {
            ASSERT_TRUE(
                store_->add_user({login, hash_password("right").value(), std::nullopt, true}).ok());
        }
        ASSERT_TRUE(store_->disable_user("gone").ok());
        ops_id_ = store_->find_user_by_login("ops").value()->id;
        gone_id_ = store_->find_user_by_login("gone").value()->id;
    }

    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }

    std::string token_for(std::int64_t user, std::int64_t version) const {
        return signer_.sign({user, version, core::Instant{} + std::chrono::hours{24 * 365 * 100}});
    }

    fs::path dir_;
    std::unique_ptr<store::Store> store_;
    TokenSigner signer_ = TokenSigner::create(std::string(32, 's')).value();
    std::int64_t ops_id_ = 0;
    std::int64_t gone_id_ = 0;
};

TEST_F(AuthenticatorTest, EveryLoginPathRunsExactlyOneArgon2idVerify) {
    const Authenticator auth(*store_, signer_, std::chrono::seconds{60});
    const std::pair<const char*, const char*> attempts[] = {
        {"nobody", "right"}, {"ops", "wrong"},  {"ops", "right"},
        {"gone", "right"},   {"gone", "wrong"}, {"", ""},
    };
    for (const auto& [login, password] : attempts) {
        const auto before = password_verifications();
        (void)auth.login(login, password);
        EXPECT_EQ(password_verifications() - before, 1u) << login << " / " << password;
    }
}

TEST_F(AuthenticatorTest, MalformedStoredHashCostsAVerifyToo) {
    const auto before = password_verifications();
    EXPECT_FALSE(verify_password("x", "$2b$10$not-argon"));
    EXPECT_EQ(password_verifications() - before, 1u);
}

// Median of each, measured interleaved so that load on the machine hits both alike.
std::pair<double, double> interleaved_medians(int rounds,
                                              const std::function<void()>& a,
                                              const std::function<void()>& b) {
    std::vector<double> ta, tb;
    for (int i = 0; i < rounds; ++i) {
        for (auto [fn, out] : {std::pair{&a, &ta}, std::pair{&b, &tb}}) {
            const auto start = Clock::now();
            (*fn)();
            out->push_back(std::chrono::duration<double>(Clock::now() - start).count());
        }
    }
    for (auto* v : {&ta, &tb}) {
        std::nth_element(v->begin(), v->begin() + v->size() / 2, v->end());
    }
    return {ta[ta.size() / 2], tb[tb.size() / 2]};
}

TEST_F(AuthenticatorTest, UnknownLoginTakesAsLongAsAWrongPassword) {
    // Skipping the hash makes the unknown login about a thousand times faster; the bound only
    // has to survive a loaded machine.
    const Authenticator auth(*store_, signer_, std::chrono::seconds{60});
    const auto [unknown, known] = interleaved_medians(
        7, [&] { (void)auth.login("nobody", "guess"); }, [&] { (void)auth.login("ops", "guess"); });
    EXPECT_GT(unknown / known, 0.5) << "unknown " << unknown << " s, known " << known << " s";
    EXPECT_LT(unknown / known, 2.0) << "unknown " << unknown << " s, known " << known << " s";
}

TEST_F(AuthenticatorTest, WellSignedTokenFailuresAllLookTheUserUp) {
    // Unknown user, disabled user and stale credential version answer alike after the same
    // lookup; a bad MAC stops before any user data is read, so it tells nothing about users.
    const Authenticator auth(*store_, signer_, std::chrono::seconds{60});
    const std::string unknown = token_for(987654, 1);
    const std::string stale = token_for(ops_id_, 7);
    const std::string disabled = token_for(gone_id_, 1);
    for (const auto& token : {unknown, stale, disabled}) {
        const auto r = auth.authenticate(token);
        ASSERT_TRUE(std::holds_alternative<AuthFailure>(r));
        EXPECT_EQ(std::get<AuthFailure>(r), AuthFailure::kInvalidCredentials);
    }
    std::string forged = token_for(ops_id_, 1);
    forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_EQ(std::get<AuthFailure>(auth.authenticate(forged)), AuthFailure::kInvalidToken);

    const auto [missing, stale_time] = interleaved_medians(
        301, [&] { (void)auth.authenticate(unknown); }, [&] { (void)auth.authenticate(stale); });
    EXPECT_LT(missing / stale_time, 3.0) << missing << " s vs " << stale_time << " s";
    EXPECT_GT(missing / stale_time, 1 / 3.0) << missing << " s vs " << stale_time << " s";
}

}  // namespace
}  // namespace deskbridge::auth
