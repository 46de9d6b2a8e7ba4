#include "core/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <optional>

namespace deskbridge::core {
namespace {

struct Fields {
    int year, month, day, hour, minute, second;
    std::optional<int> offset_minutes;  // absent for a naive local time
};

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) {
        return false;
    }
    for (std::size_t i = pos; i < pos + len; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return true;
}

std::optional<Fields> parse_fields(std::string_view s) {
    Fields f{};
    if (!read_int(s, 0, 4, f.year) || s.size() < 19 || s[4] != '-' || !read_int(s, 5, 2, f.month) ||
        s[7] != '-' || !read_int(s, 8, 2, f.day) || (s[10] != 'T' && s[10] != ' ') ||
        !read_int(s, 11, 2, f.hour) || s[13] != ':' || !read_int(s, 14, 2, f.minute) ||
        s[16] != ':' || !read_int(s, 17, 2, f.second)) {
        return std::nullopt;
    }

    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        const std::size_t digits_start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ++pos;
        }
        if (pos == digits_start) {
            return std::nullopt;
        }
    }

    if (pos == s.size()) {
        return f;
    }
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
        f.offset_minutes = 0;
        return f;
    }
    if (s[pos] != '+' && s[pos] != '-') {
        return std::nullopt;
    }
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0;
    int om = 0;
    const std::string_view rest = s.substr(pos + 1);
    if (rest.size() == 5 && rest[2] == ':' && read_int(rest, 0, 2, oh) &&
        read_int(rest, 3, 2, om)) {
        f.offset_minutes = sign * (oh * 60 + om);
    } else if (rest.size() == 4 && read_int(rest, 0, 2, oh) && read_int(rest, 2, 2, om)) {
        f.offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (oh > 23 || om > 59) {
        return std::nullopt;
    }
    return f;
}

}  // namespace

Result<TimeZone> TimeZone::locate(std::string_view name) {
    try {
        return TimeZone(date::locate_zone(name));
    } catch (const std::exception& e) {
        return Error{ErrorKind::kInvalidArgument, "unknown time zone '" + std::string(name) + "'",
                     e.what()};
    }
}

namespace {

// Formatting by hand: date::format goes through iostreams and locales, and even snprintf costs
// more than the rest of building a ticket_details body; digits written directly cost little.
void put_digits(char* out, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

std::string format_fields(date::local_seconds t, char separator, std::string_view suffix) {
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::seconds> hms{t - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {
        // Outside what four digits hold: rare enough for the slow, general path.
        return date::format("%Y-%m-%d" + std::string(1, separator) + "%H:%M:%S", t) +
               std::string(suffix);
    }

    std::string out(19, ' ');
    put_digits(&out[0], static_cast<unsigned>(year), 4);
    out[4] = '-';
    put_digits(&out[5], static_cast<unsigned>(ymd.month()), 2);
    out[7] = '-';
    put_digits(&out[8], static_cast<unsigned>(ymd.day()), 2);
    out[10] = separator;
    put_digits(&out[11], static_cast<unsigned>(hms.hours().count()), 2);
    out[13] = ':';
    put_digits(&out[14], static_cast<unsigned>(hms.minutes().count()), 2);
    out[16] = ':';
    put_digits(&out[17], static_cast<unsigned>(hms.seconds().count()), 2);
    out += suffix;
    return out;
}

}  // namespace

std::string TimeZone::format(Instant t) const {
    return format_fields(zone_->to_local(t), ' ', "");
}

Result<Instant> TimeZone::parse(std::string_view text) const {
    const auto f = parse_fields(text);
    const auto bad = Error::invalid("invalid timestamp '" + std::string(text.substr(0, 64)) + "'");
    if (!f) {
        return bad;
    }

    const date::year_month_day ymd{date::year{f->year}, date::month(f->month), date::day(f->day)};
    if (!ymd.ok() || f->hour > 23 || f->minute > 59 || f->second > 59) {
        return bad;
    }
    const auto time_of_day = std::chrono::hours{f->hour} + std::chrono::minutes{f->minute} +
                             std::chrono::seconds{f->second};

    if (f->offset_minutes) {
        const auto utc =
            date::sys_days{ymd} + time_of_day - std::chrono::minutes{*f->offset_minutes};
        return Instant{std::chrono::duration_cast<std::chrono::seconds>(utc.time_since_epoch())};
    }

    const date::local_seconds local{date::local_days{ymd} + time_of_day};
    const auto info = zone_->get_info(local);
    if (info.result == date::local_info::nonexistent) {
        // A wall-clock time skipped by a daylight-saving jump: take the first valid second after.
        return Instant{info.second.begin.time_since_epoch()};
    }
    return Instant{zone_->to_sys(local, date::choose::earliest).time_since_epoch()};
}

std::string_view TimeZone::name() const {
    return zone_->name();
}

Instant from_epoch_millis(std::int64_t ms) {
    return Instant{std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds{ms})};
}

std::string format_utc_iso(Instant t) {
    return format_fields(date::local_seconds{t.time_since_epoch()}, 'T', "Z");
}

}  // namespace deskbridge::core
