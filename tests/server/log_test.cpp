#include "app/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace livedata::server {
namespace {

std::string captured(const std::function<void(const Log&)>& write, LogLevel minimum, LogFormat format) {
  std::FILE* file = std::tmpfile();
  write(Log(minimum, format, file));
  std::rewind(file);
  std::string out;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) out += static_cast<char>(c);
  std::fclose(file);
  return out;
}

TEST(Log, WritesOneJsonObjectPerLineWithFields) {
  const std::string out = captured([](const Log& log) { log.info("sync committed", {{"entity", "campaigns"}, {"rows", 3}}); },
                                   LogLevel::info, LogFormat::json);
  ASSERT_EQ(out.back(), '\n');
  const auto line = nlohmann::json::parse(out);
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg"], "sync committed");
  EXPECT_EQ(line["entity"], "campaigns");
  EXPECT_EQ(line["rows"], 3);
  EXPECT_EQ(line["ts"].get<std::string>().size(), std::string("2026-11-25T09:41:05.123Z").size());
}

TEST(Log, DropsLinesBelowTheMinimumLevel) {
  const std::string out = captured([](const Log& log) { log.debug("noise"); log.warn("kept"); }, LogLevel::info,
                                   LogFormat::text);
  EXPECT_EQ(out.find("noise"), std::string::npos);
  EXPECT_NE(out.find("warn kept"), std::string::npos);
}

TEST(Log, SurvivesInvalidUtf8) {
  const std::string out = captured([](const Log& log) { log.error("bad", {{"agent", std::string("\xff\xfe")}}); },
                                   LogLevel::info, LogFormat::json);
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace livedata::server
