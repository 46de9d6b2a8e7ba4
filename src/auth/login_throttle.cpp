#include "auth/login_throttle.hpp"

#include <algorithm>
#include <cmath>

namespace deskbridge::auth {

LoginThrottle::LoginThrottle(const core::Limits& limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)) {
    by_login_.free_failures = limits_.login_free_failures_per_login;
    by_address_.free_failures = limits_.login_free_failures_per_address;
}

std::chrono::seconds LoginThrottle::retry_after(std::string_view login, std::string_view address) {
    const std::lock_guard lock(mutex_);
    const TimePoint now = clock_();
    const auto wait = std::max(blocked_for(by_login_, std::string(login), now),
                               blocked_for(by_address_, std::string(address), now));
    if (wait <= std::chrono::steady_clock::duration::zero()) {
        return std::chrono::seconds{0};
    }
    // Rounded up, so that a caller who waits exactly Retry-After is let through.
    return std::chrono::ceil<std::chrono::seconds>(wait);
}

void LoginThrottle::record_failure(std::string_view login, std::string_view address) {
    const std::lock_guard lock(mutex_);
    const TimePoint now = clock_();
    fail(by_login_, login, now);
    fail(by_address_, address, now);
}

void LoginThrottle::record_success(std::string_view address) {
    const std::lock_guard lock(mutex_);
    const auto it = by_address_.entries.find(std::string(address));
    if (it != by_address_.entries.end()) {
        by_address_.order.erase(it->second.age);
        by_address_.entries.erase(it);
    }
}

std::size_t LoginThrottle::size() const {
    const std::lock_guard lock(mutex_);
    return by_login_.entries.size() + by_address_.entries.size();
}

std::chrono::steady_clock::duration LoginThrottle::blocked_for(const Table& table,
                                                               const std::string& key,
                                                               TimePoint now) const {
    const auto it = table.entries.find(key);
    if (it == table.entries.end()) {
        return std::chrono::steady_clock::duration::zero();
    }
    return it->second.blocked_until - now;
}

void LoginThrottle::fail(Table& table, std::string_view key, TimePoint now) {
    auto [it, inserted] = table.entries.try_emplace(std::string(key));
    Entry& entry = it->second;
    if (inserted) {
        table.order.push_front(it->first);
        entry.age = table.order.begin();
        entry.last_failure = now;
        entry.blocked_until = now;
    } else {
        table.order.splice(table.order.begin(), table.order, entry.age);
    }

    // One failure is forgiven per decay interval without failures.
    const double quiet = std::chrono::duration<double>(now - entry.last_failure).count();
    const double decay = std::chrono::duration<double>(limits_.login_failure_decay).count();
    entry.score = std::max(0.0, entry.score - quiet / decay) + 1.0;
    entry.last_failure = now;

    const double excess = entry.score - static_cast<double>(table.free_failures);
    if (excess > 0) {
        auto block = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            limits_.login_backoff_first);
        const auto cap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            limits_.login_backoff_max);
        for (int i = 1; i < static_cast<int>(std::ceil(excess)) && block < cap; ++i) {
            block *= 2;
        }
        entry.blocked_until = now + std::min(block, cap);
    }

    // The oldest key goes first; the one just touched sits at the front and is never evicted.
    while (table.entries.size() > limits_.login_throttle_entries && table.order.size() > 1) {
        table.entries.erase(table.order.back());
        table.order.pop_back();
    }
}

}  // namespace deskbridge::auth
