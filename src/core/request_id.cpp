#include "core/request_id.hpp"

#include <cstdint>
#include <random>

namespace deskbridge::core {

std::string new_request_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = rng();
    std::string id(16, '0');
    for (int i = 15; i >= 0; --i) {
        id[i] = kHex[bits & 0xf];
        bits >>= 4;
    }
    return id;
}

}  // namespace deskbridge::core
