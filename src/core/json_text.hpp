#pragma once
// Writing JSON text directly into a string, for the hot paths (log lines, the ticket object)
// where building a DOM first would cost more than the rest of the work.

#include <optional>
#include <string>
#include <string_view>

namespace deskbridge::core::json_text {

// `s` as a quoted JSON string: quotes, backslashes and control characters escaped; other bytes,
// UTF-8 included, copied as they are.
void append_string(std::string& out, std::string_view s);

// The string, or null.
inline void append_optional(std::string& out, const std::optional<std::string>& s) {
    if (s) {
        append_string(out, *s);
    } else {
        out += "null";
    }
}

}  // namespace deskbridge::core::json_text
