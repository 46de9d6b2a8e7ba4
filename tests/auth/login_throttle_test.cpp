#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace deskbridge::auth {
namespace {

using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours{1000}};
    LoginThrottle::Clock fn() {
        return [this] { return now; };
    }
};

core::Limits limits() {
    core::Limits l;
    l.login_free_failures_per_login = 3;
    l.login_free_failures_per_address = 6;
    l.login_backoff_first = seconds{1};
    l.login_backoff_max = seconds{60};
    l.login_failure_decay = seconds{30};
    return l;
}

void fail(LoginThrottle& t, const std::string& login, const std::string& address, int times) {
    for (int i = 0; i < times; ++i) {
        t.record_failure(login, address);
    }
}

TEST(LoginThrottle, FreeFailuresPassThenBlocksDouble) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    fail(t, "acme", "10.0.0.1", 3);
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{0});

    const seconds expected[] = {seconds{1}, seconds{2}, seconds{4}, seconds{8}};
    for (const auto want : expected) {
        t.record_failure("acme", "10.0.0.1");
        EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), want);
        EXPECT_EQ(t.retry_after("acme", "10.0.0.2"), want) << "a login is blocked everywhere";
        clock.now += want;
        EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{0}) << "waiting Retry-After is enough";
    }
}

TEST(LoginThrottle, BlockIsCappedSoNoOneIsLockedOutForLong) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    fail(t, "acme", "10.0.0.1", 50);
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{60});
    clock.now += seconds{60};
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{0});
}

TEST(LoginThrottle, RetryAfterRoundsUpToWholeSeconds) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    fail(t, "acme", "10.0.0.1", 5);  // blocked for 2 s
    clock.now += std::chrono::milliseconds{1500};
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{1});
}

TEST(LoginThrottle, OldFailuresDecay) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    fail(t, "acme", "10.0.0.1", 3);
    clock.now += seconds{90};  // three decay intervals: all forgiven
    fail(t, "acme", "10.0.0.1", 3);
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{0});
    t.record_failure("acme", "10.0.0.1");
    EXPECT_EQ(t.retry_after("acme", "10.0.0.1"), seconds{1});
}

TEST(LoginThrottle, AddressIsBlockedForEveryLoginPastItsHigherAllowance) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    for (int i = 0; i < 6; ++i) {
        t.record_failure("guess" + std::to_string(i), "10.0.0.9");
    }
    EXPECT_EQ(t.retry_after("someone", "10.0.0.9"), seconds{0});
    t.record_failure("guess6", "10.0.0.9");
    EXPECT_EQ(t.retry_after("someone", "10.0.0.9"), seconds{1});
    EXPECT_EQ(t.retry_after("someone", "10.0.0.10"), seconds{0}) << "other addresses unaffected";
}

TEST(LoginThrottle, SuccessClearsTheAddressButNotTheLogin) {
    FakeClock clock;
    LoginThrottle t(limits(), clock.fn());
    for (int i = 0; i < 7; ++i) {
        t.record_failure("guess" + std::to_string(i), "10.0.0.9");
    }
    fail(t, "acme", "10.0.0.8", 4);
    ASSERT_GT(t.retry_after("x", "10.0.0.9"), seconds{0});

    t.record_success("10.0.0.9");
    EXPECT_EQ(t.retry_after("x", "10.0.0.9"), seconds{0});
    EXPECT_EQ(t.retry_after("acme", "10.0.0.9"), seconds{1}) << "the login's own block stays";
}

TEST(LoginThrottle, MemoryIsBoundedByEvictingTheOldest) {
    FakeClock clock;
    core::Limits l = limits();
    l.login_throttle_entries = 100;
    LoginThrottle t(l, clock.fn());
    fail(t, "victim", "10.0.0.1", 10);
    ASSERT_GT(t.retry_after("victim", "10.0.0.2"), seconds{0});

    for (int i = 0; i < 1000; ++i) {
        t.record_failure("invented" + std::to_string(i), "10.1.0." + std::to_string(i));
        EXPECT_LE(t.size(), 200u);
    }
    EXPECT_EQ(t.retry_after("victim", "10.0.0.2"), seconds{0}) << "the oldest key was forgotten";
    EXPECT_EQ(t.size(), 200u);
}

TEST(LoginThrottle, ConcurrentFailuresAreAllCounted) {
    FakeClock clock;
    core::Limits l = limits();
    l.login_free_failures_per_login = 400;
    l.login_free_failures_per_address = 100000;
    LoginThrottle t(l, clock.fn());
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&t, i] {
            for (int j = 0; j < 100; ++j) {
                t.record_failure("acme", "10.0.0." + std::to_string(i));
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(t.retry_after("acme", "10.9.9.9"), seconds{0});
    t.record_failure("acme", "10.0.0.1");
    EXPECT_EQ(t.retry_after("acme", "10.9.9.9"), seconds{1});
}

}  // namespace
}  // namespace deskbridge::auth
