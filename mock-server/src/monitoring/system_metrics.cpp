#include "monitoring/system_metrics.h"

#include <dirent.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <utility>

namespace livedata::server::monitoring {

namespace {

// Splits on spaces, tabs and newlines.
std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    at = text.find_first_not_of(" \t\n", at);
    if (at == std::string_view::npos) break;
    std::size_t end = text.find_first_of(" \t\n", at);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

template <typename Number>
std::optional<Number> parseNumber(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> readSmallFile(const std::string& path) {
  constexpr std::size_t kMaxBytes = 64 * 1024;  // every file we read is far smaller
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// "MemTotal:       16314060 kB" -> bytes.
std::optional<std::uint64_t> memInfoBytes(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      const auto parts = fields(line.substr(key.size() + 1));
      if (parts.empty()) return std::nullopt;
      const auto value = parseNumber<std::uint64_t>(parts[0]);
      if (!value) return std::nullopt;
      const bool kilobytes = parts.size() > 1 && parts[1] == "kB";
      return kilobytes ? *value * 1024 : *value;
    }
    at = end + 1;
  }
  return std::nullopt;
}

// Entries of /proc/self/fd, less the descriptor this listing itself holds open on the folder
// (which appears in it).
std::optional<std::uint64_t> countOpenDescriptors(const std::string& folder) {
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return std::nullopt;
  const std::string ownDescriptor = std::to_string(dirfd(dir));
  std::uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || name == ownDescriptor) continue;
    ++count;
  }
  closedir(dir);
  return count;
}

double monotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<ProcessStat> parseProcessStat(std::string_view text) {
  const std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After ") " come fields 3 (state) onward; field n is at index n - 3.
  const auto rest = fields(text.substr(close + 1));
  const auto field = [&rest](std::size_t n) -> std::optional<std::uint64_t> {
    if (n - 3 >= rest.size()) return std::nullopt;
    return parseNumber<std::uint64_t>(rest[n - 3]);
  };
  const auto user = field(14);
  const auto system = field(15);
  const auto threads = field(20);
  const auto start = field(22);
  const auto rss = field(24);
  if (!user || !system || !threads || !start || !rss) return std::nullopt;
  return ProcessStat{*user, *system, *threads, *start, *rss};
}

std::optional<HostMemory> parseMemInfo(std::string_view text) {
  const auto total = memInfoBytes(text, "MemTotal");
  const auto available = memInfoBytes(text, "MemAvailable");
  if (!total || !available) return std::nullopt;
  return HostMemory{*total, *available};
}

std::optional<LoadAverages> parseLoadAverages(std::string_view text) {
  const auto parts = fields(text);
  if (parts.size() < 3) return std::nullopt;
  const auto one = parseNumber<double>(parts[0]);
  const auto five = parseNumber<double>(parts[1]);
  const auto fifteen = parseNumber<double>(parts[2]);
  if (!one || !five || !fifteen) return std::nullopt;
  return LoadAverages{*one, *five, *fifteen};
}

std::optional<double> parseHostUptimeSeconds(std::string_view text) {
  const auto parts = fields(text);
  if (parts.empty()) return std::nullopt;
  return parseNumber<double>(parts[0]);
}

double cpuPercentBetween(std::uint64_t busyTicksBefore, double secondsBefore, std::uint64_t busyTicksAfter,
                         double secondsAfter, double ticksPerSecond) {
  const double elapsed = secondsAfter - secondsBefore;
  if (elapsed <= 0 || ticksPerSecond <= 0 || busyTicksAfter < busyTicksBefore) return 0;
  const double busySeconds = static_cast<double>(busyTicksAfter - busyTicksBefore) / ticksPerSecond;
  return 100.0 * busySeconds / elapsed;
}

double CpuUsageWindow::update(std::uint64_t busyTicks, double nowSeconds) {
  if (!windowStart_) {
    windowStart_ = std::make_pair(busyTicks, nowSeconds);
  } else if (nowSeconds - windowStart_->second >= minimumWindowSeconds_) {
    lastPercent_ = cpuPercentBetween(windowStart_->first, windowStart_->second, busyTicks, nowSeconds, ticksPerSecond_);
    windowStart_ = std::make_pair(busyTicks, nowSeconds);
  }
  return lastPercent_;
}

SystemSampler::SystemSampler(SystemSamplerOptions options)
    : options_(std::move(options)),
      ticksPerSecond_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      pageBytes_(static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))),
      cpu_(options_.cpuWindowSeconds, ticksPerSecond_) {}

SystemMetrics SystemSampler::sample() {
  SystemMetrics metrics;
  const std::string self = options_.procRoot + "/self";

  const auto statText = readSmallFile(self + "/stat");
  const auto stat = statText ? parseProcessStat(*statText) : std::nullopt;
  const auto uptimeText = readSmallFile(options_.procRoot + "/uptime");
  const auto hostUptime = uptimeText ? parseHostUptimeSeconds(*uptimeText) : std::nullopt;
  if (stat) {
    metrics.residentMemoryBytes = stat->residentPages * pageBytes_;
    metrics.threads = stat->threads;
    const std::uint64_t busy = stat->userTicks + stat->systemTicks;
    if (ticksPerSecond_ > 0) metrics.processCpuSeconds = static_cast<double>(busy) / ticksPerSecond_;
    const double now = monotonicSeconds();
    std::lock_guard lock(mutex_);
    metrics.processCpuPercent = cpu_.update(busy, now);
  } else {
    metrics.errors.push_back("cannot read " + self + "/stat");
  }
  if (stat && hostUptime && ticksPerSecond_ > 0) {
    metrics.processUptimeSeconds = std::max(0.0, *hostUptime - static_cast<double>(stat->startTicks) / ticksPerSecond_);
  } else if (!hostUptime) {
    metrics.errors.push_back("cannot read " + options_.procRoot + "/uptime");
  }

  metrics.openFileDescriptors = countOpenDescriptors(self + "/fd");
  if (!metrics.openFileDescriptors) metrics.errors.push_back("cannot list " + self + "/fd");

  const auto memText = readSmallFile(options_.procRoot + "/meminfo");
  metrics.hostMemory = memText ? parseMemInfo(*memText) : std::nullopt;
  if (!metrics.hostMemory) metrics.errors.push_back("cannot read " + options_.procRoot + "/meminfo");

  const auto loadText = readSmallFile(options_.procRoot + "/loadavg");
  metrics.load = loadText ? parseLoadAverages(*loadText) : std::nullopt;
  if (!metrics.load) metrics.errors.push_back("cannot read " + options_.procRoot + "/loadavg");

  struct statvfs disk {};
  if (statvfs(options_.diskPath.c_str(), &disk) == 0) {
    metrics.diskFreeBytes = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
    metrics.diskTotalBytes = static_cast<std::uint64_t>(disk.f_blocks) * disk.f_frsize;
  } else {
    metrics.errors.push_back("cannot statvfs " + options_.diskPath);
  }
  return metrics;
}

void to_json(nlohmann::ordered_json& json, const SystemMetrics& metrics) {
  const auto orNull = [](const auto& value) -> nlohmann::ordered_json {
    if (!value) return nullptr;
    return *value;
  };
  nlohmann::ordered_json host = {{"memoryTotalBytes", nullptr}, {"memoryAvailableBytes", nullptr}, {"loadAverage", nullptr}};
  if (metrics.hostMemory) {
    host["memoryTotalBytes"] = metrics.hostMemory->totalBytes;
    host["memoryAvailableBytes"] = metrics.hostMemory->availableBytes;
  }
  if (metrics.load) host["loadAverage"] = {metrics.load->one, metrics.load->five, metrics.load->fifteen};
  json = {
      {"process",
       {{"cpuPercent", orNull(metrics.processCpuPercent)},
        {"cpuSeconds", orNull(metrics.processCpuSeconds)},
        {"residentMemoryBytes", orNull(metrics.residentMemoryBytes)},
        {"threads", orNull(metrics.threads)},
        {"openFileDescriptors", orNull(metrics.openFileDescriptors)},
        {"uptimeSeconds", orNull(metrics.processUptimeSeconds)}}},
      {"host", host},
      {"disk", {{"freeBytes", orNull(metrics.diskFreeBytes)}, {"totalBytes", orNull(metrics.diskTotalBytes)}}},
      {"errors", metrics.errors},
  };
}

}  // namespace livedata::server::monitoring
