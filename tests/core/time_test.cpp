#include "core/time.hpp"

#include <gtest/gtest.h>

namespace deskbridge::core {
namespace {

class TimeZoneTest : public ::testing::Test {
  protected:
    TimeZone zone = TimeZone::locate("America/Sao_Paulo").value();

    Instant utc(std::string_view iso) { return zone.parse(iso).value(); }
};

TEST_F(TimeZoneTest, FormatsInstantsInSaoPauloTime) {
    EXPECT_EQ(zone.format(utc("2026-05-10T17:30:00Z")), "2026-05-10 14:30:00");
    EXPECT_EQ(zone.format(utc("2026-05-12T12:15:00.000Z")), "2026-05-12 09:15:00");
}

TEST_F(TimeZoneTest, AppliesBrazilsFormerDaylightSavingTime) {
    // January 2018 was summer time (UTC-2); Brazil dropped daylight saving in 2019.
    EXPECT_EQ(zone.format(utc("2018-01-15T13:00:00Z")), "2018-01-15 11:00:00");
    EXPECT_EQ(zone.format(utc("2018-07-15T13:00:00Z")), "2018-07-15 10:00:00");
    EXPECT_EQ(zone.format(utc("2026-01-15T13:00:00Z")), "2026-01-15 10:00:00");
}

TEST_F(TimeZoneTest, ReadsNaiveTimestampsAsLocalTime) {
    EXPECT_EQ(utc("2018-01-15 11:00:00"), utc("2018-01-15T13:00:00Z"));
    EXPECT_EQ(utc("2026-05-10 14:30:00"), utc("2026-05-10T17:30:00Z"));
}

TEST_F(TimeZoneTest, ReadsOffsetsInBothForms) {
    EXPECT_EQ(utc("2026-11-20T10:00:00-03:00"), utc("2026-11-20T13:00:00Z"));
    EXPECT_EQ(utc("2026-11-20T10:00:00+0130"), utc("2026-11-20T08:30:00Z"));
}

TEST_F(TimeZoneTest, ResolvesTheDaylightSavingGapAndOverlap) {
    // 2018-11-04 00:00 jumped to 01:00: 00:30 never existed; the first valid time after is 01:00.
    EXPECT_EQ(utc("2018-11-04 00:30:00"), utc("2018-11-04T03:00:00Z"));
    // 2018-02-18 00:00 fell back to 2018-02-17 23:00: 23:30 happened twice; the earlier wins.
    EXPECT_EQ(utc("2018-02-17 23:30:00"), utc("2018-02-18T01:30:00Z"));
}

TEST_F(TimeZoneTest, RejectsMalformedTimestamps) {
    for (const char* bad : {"", "2026-05-10", "2026-13-01 00:00:00", "2026-02-30 10:00:00",
                            "2026-05-10 25:00:00", "2026-05-10T10:00:00X", "10/05/2026 10:00",
                            "2026-05-10T10:00:00+3", "2026-05-10T10:00:00.Z"}) {
        EXPECT_FALSE(zone.parse(bad).ok()) << bad;
    }
}

TEST(TimeZoneLocate, RejectsUnknownZones) {
    const auto r = TimeZone::locate("Mars/Olympus_Mons");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
}

TEST_F(TimeZoneTest, FormatsPadsEveryFieldAndYearsPastFourDigits) {
    EXPECT_EQ(zone.format(utc("0099-01-02T03:04:05Z")).substr(0, 8), "0099-01-");
    EXPECT_EQ(format_utc_iso(utc("2026-01-02T03:04:05Z")), "2026-01-02T03:04:05Z");
    EXPECT_EQ(format_utc_iso(Instant{} + std::chrono::hours(24 * 366 * 8100)),
              "10086-10-19T00:00:00Z");
}

TEST(TimeHelpers, ConvertEpochMillisAndFormatIso) {
    EXPECT_EQ(format_utc_iso(from_epoch_millis(1778434200000)), "2026-05-10T17:30:00Z");
}

}  // namespace
}  // namespace deskbridge::core
