#include "core/etag.hpp"

#include <xxhash.h>

namespace deskbridge::core {
namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim_front(std::string_view s) {
    const auto start = s.find_first_not_of(kSpace);
    return start == std::string_view::npos ? std::string_view() : s.substr(start);
}

}  // namespace

std::string strong_etag(std::string_view content, std::string_view qualifier) {
    // The qualifier seeds the content's hash, so neither part can shift into the other.
    const XXH64_hash_t seed = XXH3_64bits(qualifier.data(), qualifier.size());
    const XXH128_hash_t h = XXH3_128bits_withSeed(content.data(), content.size(), seed);
    // By hand: snprintf would cost as much as hashing a whole ticket.
    constexpr char kHex[] = "0123456789abcdef";
    std::string out(34, '"');
    for (int i = 0; i < 16; ++i) {
        out[1 + i] = kHex[(h.high64 >> (60 - 4 * i)) & 0xf];
        out[17 + i] = kHex[(h.low64 >> (60 - 4 * i)) & 0xf];
    }
    return out;
}

bool none_match_hits(std::string_view list, std::string_view etag) {
    list = trim_front(list);
    if (list.substr(0, list.find_last_not_of(kSpace) + 1) == "*") {
        return true;
    }
    while (!list.empty()) {
        if (list.starts_with("W/")) {
            list.remove_prefix(2);
        }
        if (!list.starts_with('"')) {
            return false;
        }
        const auto close = list.find('"', 1);
        if (close == std::string_view::npos) {
            return false;
        }
        if (list.substr(0, close + 1) == etag) {
            return true;
        }
        list = trim_front(list.substr(close + 1));
        if (list.empty()) {
            return false;
        }
        if (list.front() != ',') {
            return false;
        }
        list = trim_front(list.substr(1));
    }
    return false;
}

}  // namespace deskbridge::core
