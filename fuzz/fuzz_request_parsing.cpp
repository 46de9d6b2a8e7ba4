// libFuzzer target: a request body through everything the API does with it before touching the
// store. Checks that no body crashes the parsing, and that what parse_json_object accepts keeps
// its promises (an object within the depth and string limits).
#include <boost/json/src.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/request_parsing.hpp"

namespace {

using deskbridge::api::auth_field;
using deskbridge::api::parse_json_object;
using deskbridge::api::parse_login_fields;
using deskbridge::api::parse_ticket_fields;

// Depth of the deepest container, counting the outer object as 1.
std::size_t depth_of(const boost::json::value& v) {
    std::size_t deepest = 0;
    if (const auto* o = v.if_object()) {
        for (const auto& kv : *o) {
            deepest = std::max(deepest, depth_of(kv.value()));
        }
        return deepest + 1;
    }
    if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
            deepest = std::max(deepest, depth_of(e));
        }
        return deepest + 1;
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const deskbridge::core::Limits limits;

    auto parsed = parse_json_object(body, limits);
    if (!parsed) {
        return 0;
    }
    if (depth_of(boost::json::value(*parsed)) > limits.max_json_depth) {
        std::abort();
    }

    (void)auth_field(*parsed);
    (void)parse_login_fields(*parsed);
    auto fields = parse_ticket_fields(*parsed);
    if (fields && fields->request.query.id && *fields->request.query.id < 0) {
        std::abort();
    }
    return 0;
}
