// Structured logs: one line per event on standard error, a JSON object by default
// ({"ts":"2026-11-25T09:41:05.123Z","level":"info","msg":"...", ...fields}) or plain text
// for people at a terminal.
//
// Threading: write() is safe from any thread; each line is written with one call, so lines
// from different threads never interleave.
#pragma once

#include <cstdio>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/options.h"

namespace livedata::server {

class Log {
 public:
  explicit Log(LogLevel minimum = LogLevel::info, LogFormat format = LogFormat::json, std::FILE* out = stderr);

  bool enabled(LogLevel level) const { return level >= minimum_; }

  // `fields` must be a JSON object (or null); its members follow ts, level and msg.
  void write(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields = nullptr) const;

  void debug(std::string_view message, const nlohmann::ordered_json& fields = nullptr) const { write(LogLevel::debug, message, fields); }
  void info(std::string_view message, const nlohmann::ordered_json& fields = nullptr) const { write(LogLevel::info, message, fields); }
  void warn(std::string_view message, const nlohmann::ordered_json& fields = nullptr) const { write(LogLevel::warn, message, fields); }
  void error(std::string_view message, const nlohmann::ordered_json& fields = nullptr) const { write(LogLevel::error, message, fields); }

 private:
  LogLevel minimum_;
  LogFormat format_;
  std::FILE* out_;
};

}  // namespace livedata::server
