#pragma once
// Reading secrets (token key, Zoho credentials) from files an operator protected.

#include <string>

#include "core/result.hpp"

namespace deskbridge::core {

// The file's content without trailing newlines. Refused (kInvalidArgument) when the file can be
// read or written by its group or by others, so a secret never sits in a world-readable file.
Result<std::string> read_secret_file(const std::string& path);

}  // namespace deskbridge::core
