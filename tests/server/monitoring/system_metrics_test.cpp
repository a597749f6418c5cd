#include "monitoring/system_metrics.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

// Fields 1..25 of proc(5)'s /proc/<pid>/stat; the command name holds spaces and parentheses.
constexpr const char* kStatLine =
    "1234 (my (odd) proc) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 7 0 123456 104857600 2560 "
    "18446744073709551615\n";

TEST(ProcParsing, ReadsProcessStatCountingFieldsFromTheLastParenthesis) {
  const auto stat = parseProcessStat(kStatLine);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->userTicks, 250u);
  EXPECT_EQ(stat->systemTicks, 75u);
  EXPECT_EQ(stat->threads, 7u);
  EXPECT_EQ(stat->startTicks, 123456u);
  EXPECT_EQ(stat->residentPages, 2560u);
}

TEST(ProcParsing, RejectsTruncatedOrGarbledStat) {
  EXPECT_FALSE(parseProcessStat(""));
  EXPECT_FALSE(parseProcessStat("1234 (x) S 1 2 3"));
  EXPECT_FALSE(parseProcessStat("no parenthesis here"));
  EXPECT_FALSE(parseProcessStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 75 0 0 20 0 7 0 1 1 1"));
}

TEST(ProcParsing, ReadsMemInfoInBytes) {
  const auto memory = parseMemInfo(
      "MemTotal:       16314060 kB\nMemFree:          1000 kB\nMemAvailable:    8157030 kB\nBuffers: 1 kB\n");
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->totalBytes, 16314060ull * 1024);
  EXPECT_EQ(memory->availableBytes, 8157030ull * 1024);
  EXPECT_FALSE(parseMemInfo("MemTotal: 100 kB\nMemAvailableX: 5 kB\n"));
  EXPECT_FALSE(parseMemInfo("MemTotal: lots kB\nMemAvailable: 5 kB\n"));
}

TEST(ProcParsing, ReadsLoadAveragesAndUptime) {
  const auto load = parseLoadAverages("0.52 0.58 1.25 1/467 12345\n");
  ASSERT_TRUE(load);
  EXPECT_DOUBLE_EQ(load->one, 0.52);
  EXPECT_DOUBLE_EQ(load->five, 0.58);
  EXPECT_DOUBLE_EQ(load->fifteen, 1.25);
  EXPECT_FALSE(parseLoadAverages("0.52 x"));
  EXPECT_DOUBLE_EQ(*parseHostUptimeSeconds("12345.67 23456.78\n"), 12345.67);
  EXPECT_FALSE(parseHostUptimeSeconds("\n"));
}

TEST(CpuUsageWindow, MeasuresOnlyOverWindowsOfAtLeastTheMinimum) {
  CpuUsageWindow cpu(1.0, 100);
  EXPECT_DOUBLE_EQ(cpu.update(1000, 10.0), 0.0) << "no window yet";
  EXPECT_DOUBLE_EQ(cpu.update(1001, 10.005), 0.0) << "one tick in 5 ms is not 200%";
  EXPECT_DOUBLE_EQ(cpu.update(1050, 11.0), 50.0);
  EXPECT_DOUBLE_EQ(cpu.update(1060, 11.5), 50.0) << "the latest complete window until the next one ends";
  EXPECT_DOUBLE_EQ(cpu.update(1150, 12.0), 100.0);
}

TEST(ProcParsing, CpuPercentIsBusyTimeOverElapsedTime) {
  EXPECT_DOUBLE_EQ(cpuPercentBetween(100, 10.0, 150, 11.0, 100), 50.0);
  EXPECT_DOUBLE_EQ(cpuPercentBetween(100, 10.0, 400, 11.0, 100), 300.0);  // three cores busy
  EXPECT_DOUBLE_EQ(cpuPercentBetween(100, 10.0, 150, 10.0, 100), 0.0);
  EXPECT_DOUBLE_EQ(cpuPercentBetween(150, 10.0, 100, 11.0, 100), 0.0);
}

class FixtureProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root = std::filesystem::temp_directory_path() / ("livedata-proc-" + std::to_string(getpid()));
    std::filesystem::create_directories(root / "self" / "fd");
    write("self/stat", kStatLine);
    write("uptime", "12345.67 23456.78\n");
    write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
    write("loadavg", "0.50 0.25 0.125 1/100 42\n");
    for (const char* fd : {"0", "1", "2"}) write(std::string("self/fd/") + fd, "");
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  void write(const std::string& relative, const std::string& text) { std::ofstream(root / relative) << text; }

  std::filesystem::path root;
};

TEST_F(FixtureProc, SamplesEveryValueFromTheProcTree) {
  SystemSampler sampler({"/", root.string()});
  const SystemMetrics metrics = sampler.sample();
  EXPECT_TRUE(metrics.errors.empty());
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_EQ(metrics.residentMemoryBytes, 2560u * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(metrics.threads, 7u);
  EXPECT_EQ(metrics.openFileDescriptors, 3u);
  EXPECT_DOUBLE_EQ(*metrics.processUptimeSeconds, 12345.67 - 123456 / ticks);
  EXPECT_DOUBLE_EQ(*metrics.processCpuSeconds, 325 / ticks);
  EXPECT_DOUBLE_EQ(*metrics.processCpuPercent, 0.0);  // the first sample
  EXPECT_EQ(metrics.hostMemory->totalBytes, 1000u * 1024);
  EXPECT_EQ(metrics.hostMemory->availableBytes, 250u * 1024);
  EXPECT_DOUBLE_EQ(metrics.load->fifteen, 0.125);
  EXPECT_GT(*metrics.diskTotalBytes, 0u);
}

TEST_F(FixtureProc, GivesAPartialSampleWithNotesWhenFilesAreMissingOrBroken) {
  write("meminfo", "garbage");
  std::filesystem::remove(root / "loadavg");
  SystemSampler sampler({"/no/such/folder", root.string()});
  const SystemMetrics metrics = sampler.sample();
  EXPECT_EQ(metrics.threads, 7u);
  EXPECT_FALSE(metrics.hostMemory);
  EXPECT_FALSE(metrics.load);
  EXPECT_FALSE(metrics.diskFreeBytes);
  EXPECT_EQ(metrics.errors.size(), 3u);
  const nlohmann::ordered_json json = metrics;
  EXPECT_TRUE(json["host"]["memoryTotalBytes"].is_null());
  EXPECT_EQ(json["errors"].size(), 3u);
}

TEST(SystemSampler, ReadsTheRealProcSelf) {
  SystemSampler sampler;
  const SystemMetrics first = sampler.sample();
  const SystemMetrics second = sampler.sample();
  EXPECT_TRUE(second.errors.empty()) << second.errors.front();
  EXPECT_EQ(first.processCpuPercent, 0.0);
  EXPECT_GE(*second.processCpuPercent, 0.0);
  EXPECT_GT(*second.residentMemoryBytes, 0u);
  EXPECT_GE(*second.threads, 1u);
  EXPECT_GE(*second.openFileDescriptors, 3u);  // at least stdin, stdout, stderr
  EXPECT_GE(*second.processUptimeSeconds, 0.0);
  EXPECT_GT(second.hostMemory->totalBytes, 0u);
  EXPECT_LE(*second.diskFreeBytes, *second.diskTotalBytes);
}

}  // namespace
}  // namespace livedata::server::monitoring
