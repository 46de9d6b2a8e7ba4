#pragma once
// The cached form of threads and attachments: Zoho's own JSON shape, so that reading the cache
// back goes through the same parser as a live answer (mapping.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "zoho/types.hpp"

namespace deskbridge::zoho {

std::string encode_thread(const Thread& t);
core::Result<Thread> decode_thread(std::string_view json);

std::string encode_attachments(const std::vector<Attachment>& list);
core::Result<std::vector<Attachment>> decode_attachments(std::string_view json);

}  // namespace deskbridge::zoho
