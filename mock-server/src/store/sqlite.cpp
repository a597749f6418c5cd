#include "store/sqlite.h"

#include <sqlite3.h>

namespace livedata::server::sqlite {
namespace {

// Long enough to ride out a checkpoint or another process's migration, short enough that a
// stuck lock becomes an error (and a 503) instead of a hung request.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

bool Error::corrupt() const {
  const int primary = code_ & 0xff;  // extended codes (SQLITE_CORRUPT_INDEX, ...) carry it in the low byte
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int code =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
  if (code != SQLITE_OK) {
    throw Error("cannot prepare \"" + std::string(sql) + "\": " + sqlite3_errmsg(db), code);
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

void Statement::fail(int code) const {
  std::string message = sqlite3_errmsg(db_);
  if (message == "not an error") message = sqlite3_errstr(code);
  throw Error(message + " (in \"" + sqlite3_sql(statement_) + "\")", code);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (const int code = sqlite3_bind_int64(statement_, index, value); code != SQLITE_OK) fail(code);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (const int code = sqlite3_bind_double(statement_, index, value); code != SQLITE_OK) fail(code);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  const int code = sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (code != SQLITE_OK) fail(code);
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  fail(code);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  // The error sqlite3_reset repeats is the one step() already reported.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::real(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  return bytes ? std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size)) : std::string();
}

bool Statement::isNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

Connection::Connection(const std::string& path, Mode mode) {
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (mode == Mode::readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int code = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error("cannot open " + path + ": " + message, code);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Connection::~Connection() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

void Connection::execute(const std::string& sql) {
  char* error = nullptr;
  if (const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error); code != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw Error(message, code);
  }
}

std::string Connection::queryText(const std::string& sql) {
  Statement statement(db_, sql);
  return statement.step() ? statement.text(0) : std::string();
}

std::int64_t Connection::queryInteger(const std::string& sql) {
  Statement statement(db_, sql);
  return statement.step() ? statement.integer(0) : 0;
}

StatementUse Connection::use(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  }
  return StatementUse(*found->second);
}

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.use(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")->run();
}

Transaction::~Transaction() {
  if (!open_) return;
  // ROLLBACK can only fail when there is nothing to undo (SQLite already rolled back after
  // an I/O or full-disk error); either way the connection is back in autocommit mode.
  sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  connection_.use("COMMIT")->run();
  open_ = false;
}

}  // namespace livedata::server::sqlite
