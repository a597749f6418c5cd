#include "store/postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include <nlohmann/json.hpp>

#include "livedata/url_password.h"

namespace livedata::server::postgres {
namespace {

// ?N -> $N, and the highest N (the statement's parameter count).
std::string numberedParameters(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size());
  count = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '?' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '$';
      int number = 0;
      while (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        number = number * 10 + (sql[++i] - '0');
        out += sql[i];
      }
      if (number > count) count = number;
    } else {
      out += sql[i];
    }
  }
  return out;
}

// `text` as a UTF8 database can hold it: when it is not well-formed UTF-8, its bad bytes
// replaced by U+FFFD exactly as the responses' JSON writer replaces them (model/json_writer.h,
// nlohmann's error_handler_t::replace), so a rendered response is the same byte for byte as
// from SQLite, which keeps the raw bytes. ASCII, the common case, is returned untouched.
std::string storableText(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(text);
  const std::string escaped =
      nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(escaped).get<std::string>();
}

std::string trimmed(std::string message) {
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
  return message;
}

}  // namespace

std::string redacted(const std::string& url) {
  // postgres://user:password@host -> postgres://user:***@host; key=value strings: password=***.
  static const std::regex kKeywordPassword(R"((password\s*=\s*)('[^']*'|\S+))");
  return std::regex_replace(redactUrlPassword(url), kKeywordPassword, "$1***");
}

Statement::Statement(Connection& connection, std::string name, int parameterCount)
    : connection_(connection), name_(std::move(name)), parameters_(static_cast<std::size_t>(parameterCount)) {}

Statement::~Statement() { PQclear(result_); }

Statement& Statement::bind(int index, std::int64_t value) {
  return bind(index, std::string_view(std::to_string(value)));
}

Statement& Statement::bind(int index, double value) {
  // SQLite stores -0.0 as 0.0; so does this, or a response would read -0.0 on one engine only.
  if (value == 0) value = 0;
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return bind(index, std::string_view(text));
}

Statement& Statement::bind(int index, std::string_view text) {
  if (index < 1 || static_cast<std::size_t>(index) > parameters_.size()) {
    throw Error("parameter " + std::to_string(index) + " is not in statement " + name_);
  }
  parameters_[static_cast<std::size_t>(index - 1)] = storableText(text);
  return *this;
}

void Statement::execute() {
  std::vector<const char*> values;
  values.reserve(parameters_.size());
  for (const auto& parameter : parameters_) values.push_back(parameter ? parameter->c_str() : nullptr);
  PQclear(result_);
  result_ = PQexecPrepared(connection_.handle(), name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                           nullptr, 0);
  try {
    connection_.check(result_, name_);
  } catch (...) {
    result_ = nullptr;  // check() cleared it
    throw;
  }
  const char* affected = PQcmdTuples(result_);
  connection_.changes_ = (affected && *affected) ? std::strtoll(affected, nullptr, 10) : 0;
  row_ = -1;
}

bool Statement::step() {
  if (!result_) execute();
  if (row_ + 1 >= PQntuples(result_)) return false;
  ++row_;
  return true;
}

void Statement::run() {
  execute();
}

void Statement::reset() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (auto& parameter : parameters_) parameter.reset();
}

const char* Statement::value(int column) const {
  if (!result_ || row_ < 0 || column < 0 || column >= PQnfields(result_)) {
    throw Error("no column " + std::to_string(column) + " in the current row of " + name_);
  }
  return PQgetvalue(result_, row_, column);
}

std::int64_t Statement::integer(int column) const {
  if (isNull(column)) return 0;
  const char* text = value(column);
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') throw Error(std::string("not an integer: '") + text + "'");
  return parsed;
}

double Statement::real(int column) const {
  if (isNull(column)) return 0;
  const char* text = value(column);
  char* end = nullptr;
  const double parsed = std::strtod(text, &end);
  if (end == text || *end != '\0') throw Error(std::string("not a number: '") + text + "'");
  return parsed;
}

std::string Statement::text(int column) const {
  const char* bytes = value(column);
  return std::string(bytes, static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

bool Statement::isNull(int column) const {
  value(column);  // checks the position
  return PQgetisnull(result_, row_, column) != 0;
}

Connection::Connection(const std::string& url) {
  connection_ = PQconnectdb(url.c_str());
  if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = connection_ ? trimmed(PQerrorMessage(connection_)) : "out of memory";
    PQfinish(connection_);
    connection_ = nullptr;
    throw Error("cannot connect to " + redacted(url) + ": " + message);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  statements_.clear();
  PQfinish(connection_);
}

void Connection::check(pg_result* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : std::string();
  if (message.empty()) message = trimmed(PQerrorMessage(connection_));
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = sqlstate ? sqlstate : "";
  PQclear(result);
  throw Error(message + " (in " + std::string(what) + ")", std::move(code));
}

void Connection::execute(const std::string& sql) {
  pg_result* result = PQexec(connection_, sql.c_str());
  check(result, "\"" + sql.substr(0, 80) + "\"");  // clears it when it throws
  PQclear(result);
  changes_ = 0;
}

std::string Connection::queryText(const std::string& sql) {
  pg_result* result = PQexec(connection_, sql.c_str());
  check(result, "\"" + sql + "\"");
  std::string text = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  return text;
}

std::int64_t Connection::queryInteger(const std::string& sql) {
  const std::string text = queryText(sql);
  return text.empty() ? 0 : std::strtoll(text.c_str(), nullptr, 10);
}

StatementUse Connection::use(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    int parameterCount = 0;
    const std::string rewritten = numberedParameters(sql, parameterCount);
    const std::string name = "s" + std::to_string(statements_.size() + 1);
    pg_result* prepared = PQprepare(connection_, name.c_str(), rewritten.c_str(), 0, nullptr);
    check(prepared, "preparing \"" + sql + "\"");  // clears it when it throws
    PQclear(prepared);
    found = statements_.emplace(sql, std::make_unique<Statement>(*this, name, parameterCount)).first;
  }
  return StatementUse(*found->second);
}

bool Connection::broken() const { return !connection_ || PQstatus(connection_) == CONNECTION_BAD; }

int Connection::backendPid() const { return PQbackendPID(connection_); }

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.use(kind == Kind::snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN")->run();
}

Transaction::~Transaction() {
  if (!open_ || connection_.broken()) return;
  PQclear(PQexec(connection_.handle(), "ROLLBACK"));
}

void Transaction::commit() {
  connection_.use("COMMIT")->run();
  open_ = false;
}

}  // namespace livedata::server::postgres
