#include "zoho/config.hpp"

#include <array>
#include <utility>

namespace deskbridge::zoho {

core::Status ZohoConfig::resolve_hosts() {
    // Desk lives on desk.<domain>, tokens on accounts.<domain>; Canada is zohocloud.ca.
    static constexpr std::array<std::string_view, 8> kDataCentres = {
        "com", "eu", "in", "com.au", "jp", "zohocloud.ca", "com.cn", "sa"};
    bool known = false;
    for (auto d : kDataCentres) {
        known = known || d == dc;
    }
    if (!known) {
        return core::Error::invalid("unknown Zoho data centre '" + dc +
                                    "' (com, eu, in, com.au, jp, zohocloud.ca, com.cn, sa)");
    }
    const std::string domain = dc == "zohocloud.ca" ? "zohocloud.ca" : "zoho." + dc;
    if (desk_url.empty()) {
        desk_url = "https://desk." + domain;
    }
    if (accounts_url.empty()) {
        accounts_url = "https://accounts." + domain;
    }
    while (!desk_url.empty() && desk_url.back() == '/') {
        desk_url.pop_back();
    }
    while (!accounts_url.empty() && accounts_url.back() == '/') {
        accounts_url.pop_back();
    }
    return {};
}

}  // namespace deskbridge::zoho
