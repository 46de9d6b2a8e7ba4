#include "api/client_address.hpp"

namespace deskbridge::api {
namespace {

// IPv4 or IPv6 text, by its characters and length only: it is a map key, never parsed further.
bool looks_like_ip(std::string_view s) {
    constexpr std::size_t kMaxIpText = 45;  // the longest IPv6 text, with an IPv4 tail
    return !s.empty() && s.size() <= kMaxIpText &&
           s.find_first_not_of("0123456789abcdefABCDEF.:") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::string client_address(const http::Request& request, std::string_view trusted_proxy) {
    if (trusted_proxy.empty() || request.remote_address != trusted_proxy) {
        return request.remote_address;
    }
    const std::string_view forwarded = request.header("x-forwarded-for");
    const auto comma = forwarded.rfind(',');
    const std::string_view last =
        trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
    return looks_like_ip(last) ? std::string(last) : request.remote_address;
}

}  // namespace deskbridge::api
