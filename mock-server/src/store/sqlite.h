// A thin RAII layer over the SQLite C API: a connection that owns its prepared statements,
// a statement that resets itself, and a transaction that rolls back unless committed.
//
// Failures throw sqlite::Error. The exception never leaves the store module: Store catches
// it at each public member and returns the message as a value (errors are values at module
// borders).
//
// Threading: a Connection and its statements belong to one thread at a time (connections
// are opened with SQLITE_OPEN_NOMUTEX); the Store's writer mutex and reader pool ensure it.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/statement_use.h"

struct sqlite3;
struct sqlite3_stmt;

namespace livedata::server::sqlite {

class Error : public std::runtime_error {
 public:
  // `code`: SQLite's result code for the failure (0 when it is none of SQLite's).
  explicit Error(const std::string& message, int code = 0) : std::runtime_error(message), code_(code) {}
  // The file's content is damaged (SQLITE_CORRUPT, SQLITE_NOTADB): no retry or new
  // connection gets past it.
  bool corrupt() const;

 private:
  int code_;
};

// One prepared statement. Parameters are 1-based, columns 0-based, as in the C API.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);  // throws Error naming the SQL on failure
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);  // copied (SQLITE_TRANSIENT)

  // Advances: true while a row is available, false once the statement is done.
  bool step();
  // Runs a statement that returns no rows to completion.
  void run();
  // Ends the current execution (releasing the read snapshot an unfinished SELECT holds)
  // and clears the bindings.
  void reset();

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  [[noreturn]] void fail(int code) const;

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

using StatementUse = server::StatementUse<Statement>;  // statement_use.h

class Connection {
 public:
  enum class Mode { readWriteCreate, readOnly };

  // Opens `path` (no URI interpretation). Throws Error naming the path and cause.
  Connection(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows (schema scripts, PRAGMA settings).
  void execute(const std::string& sql);
  // The first column of the first row of `sql` as text ("" when there is no row), for
  // PRAGMA queries such as journal_mode.
  std::string queryText(const std::string& sql);
  std::int64_t queryInteger(const std::string& sql);

  // `sql` prepared once per connection and kept for its lifetime (the SQL text is the
  // cache key, so callers build it from a fixed set of fragments, never from input).
  StatementUse use(const std::string& sql);

  // Rows inserted, updated or deleted by the last completed statement.
  std::int64_t changes() const;

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// BEGIN (IMMEDIATE for writers, DEFERRED for readers) on construction; ROLLBACK on
// destruction unless commit() succeeded, so an exception anywhere undoes everything.
class Transaction {
 public:
  enum class Kind { deferred, immediate };

  Transaction(Connection& connection, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace livedata::server::sqlite
