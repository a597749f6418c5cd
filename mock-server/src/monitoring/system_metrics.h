// Process and host metrics read from Linux's /proc and statvfs(3).
//
// The parsers take the files' text, so tests feed fixtures; each returns nullopt on text it
// cannot read, and the sampler turns that into a missing field plus a note in `errors`:
// a partial sample, never an exception.
//
// Threading: the parsers are pure. SystemSampler::sample() is safe from any thread (it
// keeps the previous CPU sample under a mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::server::monitoring {

// The fields of /proc/<pid>/stat we use (proc(5)); times in clock ticks, rss in pages.
struct ProcessStat {
  std::uint64_t userTicks = 0;    // field 14, utime
  std::uint64_t systemTicks = 0;  // field 15, stime
  std::uint64_t threads = 0;      // field 20, num_threads
  std::uint64_t startTicks = 0;   // field 22, starttime (ticks after boot)
  std::uint64_t residentPages = 0;  // field 24, rss
};
// The command name (field 2) may hold spaces and parentheses, so fields are counted from the
// LAST ')'.
std::optional<ProcessStat> parseProcessStat(std::string_view text);

struct HostMemory {
  std::uint64_t totalBytes = 0;
  std::uint64_t availableBytes = 0;
};
// /proc/meminfo: MemTotal and MemAvailable (kB, as the kernel prints them).
std::optional<HostMemory> parseMemInfo(std::string_view text);

struct LoadAverages {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};
// /proc/loadavg: "0.52 0.58 0.59 1/467 12345".
std::optional<LoadAverages> parseLoadAverages(std::string_view text);

// /proc/uptime: seconds since boot, its first field.
std::optional<double> parseHostUptimeSeconds(std::string_view text);

// CPU use of the process between two samples, in percent of one core (so up to 100 x cores):
// busy seconds over elapsed seconds. 0 when no time elapsed.
double cpuPercentBetween(std::uint64_t busyTicksBefore, double secondsBefore, std::uint64_t busyTicksAfter,
                         double secondsAfter, double ticksPerSecond);

// Process CPU % over windows of at least `minimumWindowSeconds`. Clock ticks are 10 ms, so
// a shorter window (two health checks 5 ms apart) reads 0% or 200% at random. Reports 0
// until the first window has passed, then the value of the latest complete window.
class CpuUsageWindow {
 public:
  CpuUsageWindow(double minimumWindowSeconds, double ticksPerSecond)
      : minimumWindowSeconds_(minimumWindowSeconds), ticksPerSecond_(ticksPerSecond) {}
  double update(std::uint64_t busyTicks, double nowSeconds);

 private:
  double minimumWindowSeconds_;
  double ticksPerSecond_;
  std::optional<std::pair<std::uint64_t, double>> windowStart_;  // busy ticks, seconds
  double lastPercent_ = 0;
};

struct SystemMetrics {
  // Percent of one core over the latest window of SystemSamplerOptions::cpuWindowSeconds
  // (CpuUsageWindow); 0 until one has passed.
  std::optional<double> processCpuPercent;
  std::optional<double> processCpuSeconds;  // user + system since the process started
  std::optional<std::uint64_t> residentMemoryBytes;
  std::optional<std::uint64_t> threads;
  std::optional<std::uint64_t> openFileDescriptors;
  std::optional<double> processUptimeSeconds;
  std::optional<HostMemory> hostMemory;
  std::optional<LoadAverages> load;
  std::optional<std::uint64_t> diskFreeBytes;   // available to unprivileged users (f_bavail)
  std::optional<std::uint64_t> diskTotalBytes;
  std::vector<std::string> errors;  // one note per value that could not be read
};

struct SystemSamplerOptions {
  // The folder whose file system's free space is reported (the data folder). Default ".".
  std::string diskPath = ".";
  // Where proc(5) is mounted; tests point it at a fixture tree. Default "/proc".
  std::string procRoot = "/proc";
  // The shortest span CPU % is measured over. Default 1 s.
  double cpuWindowSeconds = 1.0;
};

class SystemSampler {
 public:
  explicit SystemSampler(SystemSamplerOptions options = {});
  SystemMetrics sample();

 private:
  SystemSamplerOptions options_;
  double ticksPerSecond_;
  std::uint64_t pageBytes_;
  std::mutex mutex_;
  CpuUsageWindow cpu_;  // GUARDED_BY(mutex_)
};

void to_json(nlohmann::ordered_json& json, const SystemMetrics& metrics);

}  // namespace livedata::server::monitoring
