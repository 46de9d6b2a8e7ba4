#pragma once
// Values read from the database, kept for as long as the store's change generation stays the
// same (store::Store::change_generation). A lookup under any other generation misses, and the
// first value remembered under a newer generation empties the memo, so a value is never used
// after a change its reader could not have seen. Bounded: past `max_entries` it starts again.
// Thread-safe; lookups take one short lock and copy the value out.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace deskbridge::core {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class GenerationMemo {
  public:
    explicit GenerationMemo(std::size_t max_entries) : max_entries_(max_entries) {}

    std::optional<Value> find(std::uint64_t generation, const Key& key) const {
        const std::lock_guard lock(mutex_);
        if (generation_ != generation) {
            return std::nullopt;
        }
        const auto it = entries_.find(key);
        return it == entries_.end() ? std::nullopt : std::optional<Value>(it->second);
    }

    // `generation` must be the one read before the value was read from the database.
    void remember(std::uint64_t generation, const Key& key, Value value) {
        const std::lock_guard lock(mutex_);
        if (generation_ && generation < *generation_) {
            return;  // read before a change another reader has already seen
        }
        if (generation_ != generation || entries_.size() >= max_entries_) {
            entries_.clear();
            generation_ = generation;
        }
        entries_.insert_or_assign(key, std::move(value));
    }

  private:
    const std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::optional<std::uint64_t> generation_;       // guarded by mutex_
    std::unordered_map<Key, Value, Hash> entries_;  // guarded by mutex_
};

}  // namespace deskbridge::core
