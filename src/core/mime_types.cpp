#include "core/mime_types.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace deskbridge::core {
namespace {

std::unordered_map<std::string, std::string> load(const char* path) {
    std::unordered_map<std::string, std::string> table;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream words(line);
        std::string type;
        std::string ext;
        words >> type;
        while (words >> ext) {
            table.emplace(ext, type);  // the first mention of an extension wins
        }
    }
    return table;
}

}  // namespace

std::string content_type_for(std::string_view file_name) {
    static const auto table = load("/etc/mime.types");
    const auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == file_name.size()) {
        return "application/octet-stream";
    }
    std::string ext(file_name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto it = table.find(ext);
    return it == table.end() ? "application/octet-stream" : it->second;
}

}  // namespace deskbridge::core
