#include "monitoring/prometheus_writer.h"

#include <charconv>
#include <cmath>

#include "monitoring/utf8_text.h"

namespace livedata::server::monitoring {

namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool isValidMetricName(std::string_view name) {
  if (name.empty() || !(isNameStart(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!isNameChar(c) && c != ':') return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, and not reserved ("__" prefix).
bool isValidLabelName(std::string_view name) {
  if (name.empty() || !isNameStart(name[0]) || name.substr(0, 2) == "__") return false;
  for (char c : name) {
    if (!isNameChar(c)) return false;
  }
  return true;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool labelsValid(const PrometheusLabels& labels) {
  for (const auto& [name, value] : labels) {
    if (!isValidLabelName(name)) return false;
  }
  return true;
}

}  // namespace

std::string escapePrometheusLabelValue(std::string_view raw) {
  // Each invalid byte grows to 3 bytes at most, so this bound never cuts valid text.
  const std::string value = boundedUtf8(raw, raw.size() * 3);
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatPrometheusNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Plain decimals where they are short ("0.0005", not "5e-04": the le labels people read and
  // query), the shortest round-trip form otherwise (1e+21).
  constexpr std::size_t kMaxFixedLength = 24;
  char buffer[64];
  const auto fixed = std::to_chars(buffer, buffer + kMaxFixedLength, value, std::chars_format::fixed);
  if (fixed.ec == std::errc()) return std::string(buffer, fixed.ptr);
  const auto shortest = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, shortest.ptr);
}

PrometheusWriter::Family* PrometheusWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  if (!isValidMetricName(name)) return nullptr;
  if (auto found = families_.find(name); found != families_.end()) {
    return found->second.type == type ? &found->second : nullptr;
  }
  order_.emplace_back(name);
  return &families_.emplace(std::string(name), Family{std::string(type), escapeHelp(help), {}}).first->second;
}

void PrometheusWriter::sample(Family& family, std::string_view name, const PrometheusLabels& labels, double value) {
  family.samples += name;
  if (!labels.empty()) {
    family.samples += '{';
    bool first = true;
    for (const auto& [label, labelValue] : labels) {
      if (!first) family.samples += ',';
      first = false;
      family.samples += label;
      family.samples += "=\"";
      family.samples += escapePrometheusLabelValue(labelValue);
      family.samples += '"';
    }
    family.samples += '}';
  }
  family.samples += ' ';
  family.samples += formatPrometheusNumber(value);
  family.samples += '\n';
}

void PrometheusWriter::counter(std::string_view name, std::string_view help, double value, const PrometheusLabels& labels) {
  Family* target = labelsValid(labels) ? family(name, "counter", help) : nullptr;
  if (!target) {
    ++rejected_;
    return;
  }
  sample(*target, name, labels, value);
}

void PrometheusWriter::gauge(std::string_view name, std::string_view help, double value, const PrometheusLabels& labels) {
  Family* target = labelsValid(labels) ? family(name, "gauge", help) : nullptr;
  if (!target) {
    ++rejected_;
    return;
  }
  sample(*target, name, labels, value);
}

void PrometheusWriter::histogram(std::string_view name, std::string_view help,
                                 const std::vector<PrometheusBucket>& buckets, double sum, std::uint64_t count,
                                 const PrometheusLabels& labels) {
  bool hasLe = false;
  for (const auto& label : labels) hasLe = hasLe || label.first == "le";
  Family* target = labelsValid(labels) && !hasLe ? family(name, "histogram", help) : nullptr;
  if (!target) {
    ++rejected_;
    return;
  }
  const std::string base(name);
  PrometheusLabels withLe = labels;
  withLe.emplace_back("le", "");
  for (const auto& bucket : buckets) {
    withLe.back().second = formatPrometheusNumber(bucket.upperBound);
    sample(*target, base + "_bucket", withLe, static_cast<double>(bucket.cumulativeCount));
  }
  withLe.back().second = "+Inf";
  sample(*target, base + "_bucket", withLe, static_cast<double>(count));
  sample(*target, base + "_sum", labels, sum);
  sample(*target, base + "_count", labels, static_cast<double>(count));
}

std::string PrometheusWriter::text() const {
  std::string out;
  for (const auto& name : order_) {
    const Family& family = families_.find(name)->second;
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " " + family.type + "\n";
    out += family.samples;
  }
  return out;
}

}  // namespace livedata::server::monitoring
