#pragma once
// Instants and their display in a named time zone from the system's tz database.
//
// Timestamps are stored as UTC seconds. `TimeZone` renders them as the contract's
// `YYYY-MM-DD HH:MM:SS` in a zone such as America/Sao_Paulo (historic daylight saving rules
// included) and reads naive local timestamps back. Immutable after construction: thread-safe.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace date {
class time_zone;
}

namespace deskbridge::core {

using Instant = std::chrono::sys_seconds;

class TimeZone {
  public:
    // Fails with kInvalidArgument when the zone is not in the tz database.
    static Result<TimeZone> locate(std::string_view name);

    // "2026-05-10 14:30:00" in this zone.
    std::string format(Instant t) const;

    // Accepts "YYYY-MM-DD[T ]HH:MM:SS[.fff]" followed by "Z", "+HH:MM", "-HHMM" (an instant) or
    // nothing (a local time in this zone; in a daylight-saving overlap the earlier instant wins,
    // in a gap the time after the gap).
    Result<Instant> parse(std::string_view text) const;

    std::string_view name() const;

  private:
    explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
    const date::time_zone* zone_;
};

// Epoch milliseconds or seconds, as Zoho sometimes sends, to an instant.
Instant from_epoch_millis(std::int64_t ms);

// "2026-05-10T17:30:00Z", the ISO form used in logs, token expiries and imports.
std::string format_utc_iso(Instant t);

}  // namespace deskbridge::core
