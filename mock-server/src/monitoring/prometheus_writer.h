// A small writer of the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), content type
// "text/plain; version=0.0.4; charset=utf-8".
//
// Invariants of the output, whatever the order of calls:
//   - each metric family appears once, as one contiguous block headed by its HELP and TYPE
//     lines, families in the order of their first sample;
//   - label values are escaped (backslash, double quote, newline), HELP text too (backslash,
//     newline);
//   - a histogram's _bucket series are cumulative and end with le="+Inf" equal to _count.
// A sample with an invalid metric or label name, or with a family name already used with
// another type, is dropped and counted in rejectedSamples(): a bug to find in tests, never
// a malformed exposition.
//
// Threading: a plain value; build one per scrape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace livedata::server::monitoring {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

// One finite bucket: observations <= upperBound, cumulative.
struct PrometheusBucket {
  double upperBound = 0;
  std::uint64_t cumulativeCount = 0;
};

class PrometheusWriter {
 public:
  // Counter names should end in "_total" (the convention promtool checks).
  void counter(std::string_view name, std::string_view help, double value, const PrometheusLabels& labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const PrometheusLabels& labels = {});
  // Writes name_bucket for each finite bucket (in the given order) and le="+Inf" = count,
  // then name_sum and name_count. `labels` must not contain "le".
  void histogram(std::string_view name, std::string_view help, const std::vector<PrometheusBucket>& buckets,
                 double sum, std::uint64_t count, const PrometheusLabels& labels = {});

  std::string text() const;
  std::size_t rejectedSamples() const { return rejected_; }

 private:
  struct Family {
    std::string type;
    std::string help;
    std::string samples;  // complete lines
  };

  Family* family(std::string_view name, std::string_view type, std::string_view help);
  void sample(Family& family, std::string_view name, const PrometheusLabels& labels, double value);

  std::vector<std::string> order_;  // family names, first use first
  std::map<std::string, Family, std::less<>> families_;
  std::size_t rejected_ = 0;
};

// Label value escaping of the text format: \ -> \\, " -> \", newline -> \n; bytes that are
// not well-formed UTF-8 become U+FFFD (the format is UTF-8).
std::string escapePrometheusLabelValue(std::string_view value);
// "+Inf", "-Inf", "NaN", or the shortest decimal that reads back as `value`.
std::string formatPrometheusNumber(double value);

}  // namespace livedata::server::monitoring
