#pragma once
// HTTP entity tags: a strong validator computed from a representation's bytes, and the
// If-None-Match test (RFC 9110, 13.1.2) against it.
//
// The tag is a 128-bit XXH3 hash in hex: not a secret and not a defence against a caller who
// crafts collisions (a caller can only fool its own cache), but fast enough for every answer
// and with no realistic chance that two versions of a ticket share a tag. Pure functions.

#include <string>
#include <string_view>

namespace deskbridge::core {

// `"<32 hex digits>"` over `content`, then `qualifier` (parts of the answer outside `content`
// that still belong to what the tag validates).
std::string strong_etag(std::string_view content, std::string_view qualifier = {});

// Whether an If-None-Match field value matches `etag`: `*`, or a comma-separated list of
// entity tags of which one equals `etag` by the weak comparison (a `W/` prefix is ignored).
// A malformed list matches nothing, so the full answer is sent.
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

}  // namespace deskbridge::core
