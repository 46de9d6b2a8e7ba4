#pragma once
// Throttling of failed logins, per login and per client address.
//
// Each key (a login, or an address) keeps a failure score that decays by one for every
// `login_failure_decay` without a failure. Once the score passes the key's free allowance,
// every further failure blocks the key for a doubling time, capped at `login_backoff_max`, so
// an attacker gets one guess per block and a real user is never locked out for longer than the
// cap after the attacker stops. A success clears the address's score (not the login's: a
// guesser must not earn fresh attempts by logging in as itself).
//
// State lives in memory, per process: several instances each keep their own. Memory is bounded
// by `login_throttle_entries` per kind of key; past that the least recently failed key is
// forgotten. Thread-safe; every call takes one mutex for a few map operations.

#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/config.hpp"

namespace deskbridge::auth {

class LoginThrottle {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit LoginThrottle(const core::Limits& limits,
                           Clock clock = std::chrono::steady_clock::now);

    // Zero when a login attempt for `login` from `address` may go ahead; otherwise how long the
    // caller must wait (whole seconds, at least one).
    std::chrono::seconds retry_after(std::string_view login, std::string_view address);

    void record_failure(std::string_view login, std::string_view address);
    void record_success(std::string_view address);

    // How many keys are remembered now, for tests of the memory bound.
    std::size_t size() const;

  private:
    using TimePoint = std::chrono::steady_clock::time_point;

    struct Entry {
        double score = 0;
        TimePoint last_failure;
        TimePoint blocked_until;
        std::list<std::string>::iterator age;  // position in Table::order
    };

    // One kind of key, with its allowance and its least-recently-failed order for eviction.
    struct Table {
        std::size_t free_failures = 0;
        std::unordered_map<std::string, Entry> entries;
        std::list<std::string> order;  // front: most recent failure
    };

    std::chrono::steady_clock::duration blocked_for(const Table& table,
                                                    const std::string& key,
                                                    TimePoint now) const;
    void fail(Table& table, std::string_view key, TimePoint now);

    const core::Limits limits_;
    Clock clock_;
    mutable std::mutex mutex_;
    Table by_login_;    // guarded by mutex_
    Table by_address_;  // guarded by mutex_
};

}  // namespace deskbridge::auth
