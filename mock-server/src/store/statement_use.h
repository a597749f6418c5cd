// A cached prepared statement in use, for either engine's Statement (sqlite.h, postgres.h):
// resets it when the scope ends, so a statement left mid-iteration holds no result (with
// SQLite, no read snapshot that would keep the WAL from checkpointing) and no bound values.
#pragma once

namespace livedata::server {

template <typename Statement>
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(&statement) {}
  ~StatementUse() { statement_->reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

}  // namespace livedata::server
