#pragma once
// Request ids: 16 hex digits, unique enough to find one request in the logs. Not secret, so a
// per-thread generator serves (no system call, no lock on the request path).

#include <string>

namespace deskbridge::core {

std::string new_request_id();

}  // namespace deskbridge::core
