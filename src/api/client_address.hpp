#pragma once
// The address a request came from, for per-client decisions such as login throttling.
//
// That is the TCP peer, unless the peer is the one configured trusted proxy: then it is the
// last address of X-Forwarded-For (the one that proxy saw; entries before it are whatever the
// client claimed). A header that is absent or not an IP address leaves the peer. Pure function.

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace deskbridge::api {

std::string client_address(const http::Request& request, std::string_view trusted_proxy);

}  // namespace deskbridge::api
