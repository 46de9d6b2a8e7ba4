#pragma once
// Zoho Desk webhook deliveries: a JSON array of events {eventType, orgId, eventTime, payload}.
// Pure functions, unit-tested and fuzzed.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace deskbridge::api {

// The Zoho ticket ids that the ticket events of a delivery touch, each once. Events of other
// modules are ignored. A body that is not an event array (or a single event) is kInvalidArgument.
core::Result<std::vector<std::string>> tickets_in_webhook(std::string_view body);

// Constant-time comparison of the secret path segment, whatever the lengths.
bool webhook_secret_matches(std::string_view given, std::string_view expected);

}  // namespace deskbridge::api
