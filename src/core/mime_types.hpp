#pragma once
// Content types from file names, read once from the system's MIME table (/etc/mime.types,
// Debian's media-types package). Thread-safe after the first call.

#include <string>
#include <string_view>

namespace deskbridge::core {

// "application/pdf" for "file.PDF"; "application/octet-stream" when the extension is unknown.
std::string content_type_for(std::string_view file_name);

}  // namespace deskbridge::core
