#pragma once
// Structured logs: one JSON object per line on stderr, with level, time and event first.
//
// Callers pass key/value fields; values are escaped here, so a field can never break the line.
// Never pass a password, a token or a secret as a field: nothing filters them out afterwards.
// Thread-safe.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace deskbridge::core::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct Field {
    enum class Type { kString, kInt, kDouble, kBool, kNull };

    Field(std::string_view k, std::string_view v) : key(k), type(Type::kString), str(v) {}
    Field(std::string_view k, const char* v) : key(k), type(Type::kString), str(v) {}
    Field(std::string_view k, const std::string& v) : key(k), type(Type::kString), str(v) {}
    Field(std::string_view k, bool v) : key(k), type(Type::kBool), boolean(v) {}
    Field(std::string_view k, double v) : key(k), type(Type::kDouble), dbl(v) {}
    Field(std::string_view k, std::nullptr_t) : key(k), type(Type::kNull) {}
    template <typename I, typename = std::enable_if_t<std::is_integral_v<I>>>
    Field(std::string_view k, I v)
        : key(k), type(Type::kInt), integer(static_cast<std::int64_t>(v)) {}

    std::string_view key;
    Type type;
    std::string_view str;
    std::int64_t integer = 0;
    double dbl = 0;
    bool boolean = false;
};

// Returns false for an unknown name ("debug", "info", "warn", "error" are known).
bool set_level(std::string_view name);
bool enabled(Level level);

void write(Level level, std::string_view event, std::initializer_list<Field> fields);

// The line that `write` emits, for tests.
std::string format_line(Level level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::kError, event, fields);
}

}  // namespace deskbridge::core::log
