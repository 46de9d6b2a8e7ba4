#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/json_text.hpp"
#include "core/time.hpp"

namespace deskbridge::core::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_write_mutex;

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

void append_field(std::string& out, const Field& f) {
    out.push_back(',');
    json_text::append_string(out, f.key);
    out.push_back(':');
    switch (f.type) {
        case Field::Type::kString:
            json_text::append_string(out, f.str);
            break;
        case Field::Type::kInt:
            out += std::to_string(f.integer);
            break;
        case Field::Type::kDouble: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f", f.dbl);
            out += buf;
            break;
        }
        case Field::Type::kBool:
            out += f.boolean ? "true" : "false";
            break;
        case Field::Type::kNull:
            out += "null";
            break;
    }
}

}  // namespace

bool set_level(std::string_view name) {
    for (int i = 0; i < 4; ++i) {
        if (kLevelNames[i] == name) {
            g_level = i;
            return true;
        }
    }
    return false;
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load();
}

std::string format_line(Level level, std::string_view event, std::initializer_list<Field> fields) {
    const auto now =
        std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    std::string line;
    line.reserve(256);
    line += "{\"time\":\"";
    // Hand-made timestamp: date::format's iostreams would cost more than the rest of the line.
    std::string stamp = format_utc_iso(std::chrono::floor<std::chrono::seconds>(now));
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03d",
                  static_cast<int>((now.time_since_epoch() % std::chrono::seconds{1}).count()));
    stamp.insert(stamp.size() - 1, millis);
    line += stamp;
    line += "\",\"level\":\"";
    line += kLevelNames[static_cast<int>(level)];
    line += "\",\"event\":";
    json_text::append_string(line, event);
    for (const auto& f : fields) {
        append_field(line, f);
    }
    line += "}\n";
    return line;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
    if (!enabled(level)) {
        return;
    }
    const std::string line = format_line(level, event, fields);
    const std::lock_guard lock(g_write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace deskbridge::core::log
