#include "core/etag.hpp"

#include <xxhash.h>

#include <cstdio>

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
    char out[35];
    std::snprintf(out, sizeof out, "\"%016llx%016llx\"", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
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
