// A thin RAII layer over libpq with the shape of sqlite.h, so the store's statements and row
// conversions (entity_tables.h, sql_store.h) are written once for both engines: a connection
// that owns its prepared statements, a statement that is bound, stepped through its rows and
// reset, and a transaction that rolls back unless committed.
//
// SQL is written with SQLite's numbered parameters, ?1 ?2 ...; a statement rewrites them to
// PostgreSQL's $1 $2 ... (the store's SQL has no '?' anywhere else). Values travel as text:
// integers in decimal, reals with 17 significant digits, which PostgreSQL parses back to the
// same double and prints, with its default extra_float_digits, as the shortest text that
// reads back exactly; so a REAL round-trips bit for bit, as in SQLite (-0 becomes 0, as
// SQLite makes it). Text that is not
// well-formed UTF-8 (a UTF8 database refuses it) is stored with its bad bytes replaced by
// U+FFFD as the responses' JSON writer replaces them, so responses stay byte-identical to
// SQLite's (which keeps the raw bytes). A NUL character cannot be stored at all: the commit
// fails with PostgreSQL's error.
//
// Failures throw postgres::Error. A connection whose link to the server broke (the server
// restarted, the network failed) reports it in broken(); the store then drops it and opens a
// new one, so a restarted server is used again without a restart of ours.
//
// Threading: a Connection and its statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "store/statement_use.h"
#include <vector>

struct pg_conn;
struct pg_result;

namespace livedata::server::postgres {

class Error : public std::runtime_error {
 public:
  // `sqlstate`: the server's error code ("23505"), empty when the server sent none.
  explicit Error(const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  // The server found its data damaged (data_corrupted XX001, index_corrupted XX002).
  bool corrupt() const { return sqlstate_ == "XX001" || sqlstate_ == "XX002"; }

 private:
  std::string sqlstate_;
};

class Connection;

// One prepared statement. Parameters are 1-based, columns 0-based, as in sqlite.h.
// step() runs it on the first call and then walks its rows; run() runs it for its effect.
class Statement {
 public:
  Statement(Connection& connection, std::string name, int parameterCount);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);

  bool step();  // true while a row is available
  void run();
  void reset();  // forgets the result and the bound values

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  void execute();
  const char* value(int column) const;

  Connection& connection_;
  const std::string name_;
  std::vector<std::optional<std::string>> parameters_;
  pg_result* result_ = nullptr;
  int row_ = -1;
};

using StatementUse = server::StatementUse<Statement>;  // statement_use.h

class Connection {
 public:
  // Connects with a libpq connection string or postgres:// URL. Throws Error naming the
  // server (never the password) and the cause.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (schema scripts, settings).
  void execute(const std::string& sql);
  std::string queryText(const std::string& sql);
  std::int64_t queryInteger(const std::string& sql);

  // `sql` prepared once per connection and kept for its lifetime (the text is the key).
  StatementUse use(const std::string& sql);

  // Rows inserted, updated or deleted by the last statement run.
  std::int64_t changes() const { return changes_; }

  // Whether the link to the server is gone (the connection cannot be used again).
  bool broken() const;

  // The server's process id for this session (pg_terminate_backend, tests).
  int backendPid() const;

  pg_conn* handle() const { return connection_; }

 private:
  friend class Statement;
  // Throws Error with the result's message (and clears it) unless its status is a success.
  void check(pg_result* result, std::string_view what);

  pg_conn* connection_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::int64_t changes_ = 0;
};

// BEGIN on construction (READ WRITE, or REPEATABLE READ READ ONLY for one snapshot of
// several queries), ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  enum class Kind { snapshot, write };

  Transaction(Connection& connection, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

// `url` with any password replaced by "***", for messages and logs.
std::string redacted(const std::string& url);

}  // namespace livedata::server::postgres
