#include "core/json_text.hpp"

namespace deskbridge::core::json_text {
namespace {

bool needs_escape(unsigned char u) {
    return u == '"' || u == '\\' || u < 0x20 || u == 0x7f;
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    // Text rarely needs escaping: copy each clean run in one append instead of per character.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (!needs_escape(u)) {
            continue;
        }
        out.append(s.data() + run, i - run);
        run = i + 1;
        if (u == '"' || u == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(u));
        } else {
            out += "\\u00";
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xf]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

}  // namespace deskbridge::core::json_text
