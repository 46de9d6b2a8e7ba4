#pragma once
// The API's own documentation, served without authentication: the OpenAPI document
// (docs/openapi.yaml) at /docs/openapi.yaml and the reference page built from it
// (docs/api-reference.html, Redoc inlined, so it needs no network) at /docs.
//
// Both are compiled into the binary. Pure function of the request; thread-safe.

#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace deskbridge::api {

// The answer for a documentation path (GET or HEAD; 405 otherwise), or nothing when `path` is
// not one of them.
std::optional<http::Response> docs_response(std::string_view method, std::string_view path);

}  // namespace deskbridge::api
