// Date-times as Klaviyo writes them and as its filters take them.
#include "klaviyo/iso_datetime.h"

#include <gtest/gtest.h>

namespace livedata::server::klaviyo {
namespace {

constexpr UnixSeconds kNovemberFirst = 1'793'491'200;  // 2026-11-01T00:00:00Z

TEST(IsoDateTime, ReadsUtcOffsetsAndFractionsAsTheSameInstant) {
  EXPECT_EQ(parseDateTime("2026-11-01T00:00:00Z"), kNovemberFirst);
  EXPECT_EQ(parseDateTime("2026-11-01t00:00:00z"), kNovemberFirst);
  EXPECT_EQ(parseDateTime("2026-11-01T00:00:00+00:00"), kNovemberFirst);
  EXPECT_EQ(parseDateTime("2026-11-01T02:30:00+02:30"), kNovemberFirst);
  EXPECT_EQ(parseDateTime("2026-10-31T19:00:00-05:00"), kNovemberFirst);
  EXPECT_EQ(parseDateTime("2026-11-01T00:00:00.999999+00:00"), kNovemberFirst);  // floored to its second
  EXPECT_EQ(parseDateTime("2028-02-29T12:00:00Z"), dayFromCivil(2028, 2, 29) * kSecondsPerDay + 12 * 3600);
  EXPECT_EQ(parseDateTime("1969-12-31T23:59:59Z"), -1);
}

TEST(IsoDateTime, RefusesWhatNamesNoInstant) {
  for (const char* text : {"", "2026-11-01", "2026-11-01T00:00:00", "2026-11-01 00:00:00Z", "2026-11-01T24:00:00Z",
                           "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-01T00:00:60Z", "2026-13-01T00:00:00Z",
                           "2026-11-01T00:00:00+0000", "2026-11-01T00:00:00+24:00", "2026-11-01T00:00:00.Z",
                           "2026-11-01T00:00:00Zjunk", "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "２026-11-01T00:00:00Z", "2026-11-01T00:00:00+00:00 "}) {
    EXPECT_FALSE(parseDateTime(text)) << text;
  }
}

TEST(IsoDateTime, AnOffsetAloneIsSecondsEastOfUtc) {
  EXPECT_EQ(parseUtcOffset("Z"), 0);
  EXPECT_EQ(parseUtcOffset("+14:00"), 14 * 3600);
  EXPECT_EQ(parseUtcOffset("-05:30"), -(5 * 3600 + 1800));
  for (const char* text : {"", "+5:30", "+05:30 ", "05:30", "+0530", "+24:00", "+05:60", "UTC"}) {
    EXPECT_FALSE(parseUtcOffset(text)) << text;
  }
}

TEST(IsoDateTime, AWallClockIgnoresTheOffset) {
  EXPECT_EQ(parseWallClock("2026-11-01T00:00:00Z"), kNovemberFirst);
  EXPECT_EQ(parseWallClock("2026-11-01T00:00:00+05:00"), kNovemberFirst);
  EXPECT_EQ(parseWallClock("2026-11-01T00:00:00.5-12:00"), kNovemberFirst);
  EXPECT_FALSE(parseWallClock("2026-11-01T00:00:00"));  // still a well-formed date-time, offset included
}

TEST(IsoDateTime, WritesKlaviyosResponseFormAndTheFilterForm) {
  EXPECT_EQ(formatDateTime(kNovemberFirst + 34200), "2026-11-01T09:30:00+00:00");
  EXPECT_EQ(formatFilterDateTime(kNovemberFirst + 34200), "2026-11-01T09:30:00Z");
  for (const UnixSeconds t : {UnixSeconds{0}, kNovemberFirst, kNovemberFirst + 86399}) {
    EXPECT_EQ(parseDateTime(formatDateTime(t)), t);
    EXPECT_EQ(parseDateTime(formatFilterDateTime(t)), t);
  }
}

}  // namespace
}  // namespace livedata::server::klaviyo
