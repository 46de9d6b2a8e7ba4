// libFuzzer target: Zoho Desk JSON through the mapping, as the client uses it: a list body
// gives items parsed as threads (rows and details) and attachments; a single object is parsed
// as a ticket with the default custom-field names, and as a thread and an attachment too.
#include <boost/json/src.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "zoho/mapping.hpp"

namespace {

namespace json = boost::json;
namespace zoho = deskbridge::zoho;

void map_one(const json::value& v) {
    if (auto t = zoho::parse_thread(v)) {
        // The mapping promises an id on every thread and attachment it returns.
        if (t->id.empty()) {
            std::abort();
        }
        for (const auto& a : t->attachments) {
            if (a.id.empty()) {
                std::abort();
            }
        }
    }
    if (auto a = zoho::parse_attachment(v); a && a->id.empty()) {
        std::abort();
    }
    (void)zoho::parse_ticket(v, "cf_numero_do_pedido", "cf_numero_da_nota_fiscal");
    (void)zoho::parse_time_ms(v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    const json::value v =
        json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
    if (ec) {
        return 0;
    }

    map_one(v);
    if (auto items = zoho::list_items(&v)) {
        for (const auto& item : *items) {
            map_one(item);
        }
    }
    return 0;
}
