#include "monitoring/prometheus_writer.h"

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

TEST(PrometheusWriter, WritesEachFamilyOnceWithHelpAndType) {
  PrometheusWriter out;
  out.counter("app_requests_total", "Requests.", 3, {{"code", "200"}});
  out.gauge("app_temperature_celsius", "Temperature.", 21.5);
  out.counter("app_requests_total", "Requests.", 1, {{"code", "500"}});
  EXPECT_EQ(out.text(),
            "# HELP app_requests_total Requests.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{code=\"200\"} 3\n"
            "app_requests_total{code=\"500\"} 1\n"
            "# HELP app_temperature_celsius Temperature.\n"
            "# TYPE app_temperature_celsius gauge\n"
            "app_temperature_celsius 21.5\n");
  EXPECT_EQ(out.rejectedSamples(), 0u);
}

TEST(PrometheusWriter, EscapesLabelValuesAndHelp) {
  PrometheusWriter out;
  out.gauge("app_info", "Line one\nback\\slash \"quotes\" kept", 1, {{"path", "a\\b\"c\nd"}, {"x", "plain"}});
  EXPECT_EQ(out.text(),
            "# HELP app_info Line one\\nback\\\\slash \"quotes\" kept\n"
            "# TYPE app_info gauge\n"
            "app_info{path=\"a\\\\b\\\"c\\nd\",x=\"plain\"} 1\n");
}

TEST(PrometheusWriter, WritesCumulativeHistogramBucketsEndingWithInfEqualToCount) {
  PrometheusWriter out;
  out.histogram("app_duration_seconds", "Durations.", {{0.1, 2}, {1, 5}}, 3.5, 6, {{"route", "/x"}});
  EXPECT_EQ(out.text(),
            "# HELP app_duration_seconds Durations.\n"
            "# TYPE app_duration_seconds histogram\n"
            "app_duration_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "app_duration_seconds_bucket{route=\"/x\",le=\"1\"} 5\n"
            "app_duration_seconds_bucket{route=\"/x\",le=\"+Inf\"} 6\n"
            "app_duration_seconds_sum{route=\"/x\"} 3.5\n"
            "app_duration_seconds_count{route=\"/x\"} 6\n");
}

TEST(PrometheusWriter, RejectsInvalidNamesAndTypeClashesWithoutWritingThem) {
  PrometheusWriter out;
  out.counter("app_total", "A.", 1);
  out.gauge("app_total", "Clash.", 2);
  out.gauge("1bad", "Bad name.", 1);
  out.gauge("app_ok", "Bad label.", 1, {{"__reserved", "x"}});
  out.gauge("app_ok2", "Bad label.", 1, {{"bad-label", "x"}});
  out.histogram("app_h", "Has le.", {}, 0, 0, {{"le", "1"}});
  EXPECT_EQ(out.rejectedSamples(), 5u);
  EXPECT_EQ(out.text(), "# HELP app_total A.\n# TYPE app_total counter\napp_total 1\n");
}

TEST(PrometheusWriter, FormatsNumbersShortestAndSpecialValuesByName) {
  EXPECT_EQ(formatPrometheusNumber(0.0005), "0.0005");
  EXPECT_EQ(formatPrometheusNumber(2.5), "2.5");
  EXPECT_EQ(formatPrometheusNumber(10), "10");
  EXPECT_EQ(formatPrometheusNumber(1e300), "1e+300");
  EXPECT_EQ(formatPrometheusNumber(1.0 / 0.0), "+Inf");
  EXPECT_EQ(formatPrometheusNumber(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(formatPrometheusNumber(0.0 / 0.0), "NaN");
}

TEST(PrometheusWriter, ReplacesInvalidUtf8InLabelValues) {
  EXPECT_EQ(escapePrometheusLabelValue("a\xff\"b"), "a\xEF\xBF\xBD\\\"b");
}

}  // namespace
}  // namespace livedata::server::monitoring
