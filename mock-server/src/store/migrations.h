// The store's schema history: numbered scripts applied in order, each in its own
// transaction together with `PRAGMA user_version = <its number>`, so a database is always
// exactly at one version and a crash mid-upgrade leaves it at the previous one.
//
// A published migration is never edited: a schema change is a new migration at the end.
#pragma once

#include <vector>

#include "store/sqlite.h"

namespace livedata::server {

struct Migration {
  int version;          // 1, 2, ...: equal to its position in the list
  const char* summary;  // for logs and errors
  const char* sql;      // one or more statements
};

// Every migration, oldest first.
const std::vector<Migration>& schemaMigrations();

// The version a fully migrated database has.
int latestSchemaVersion();

// Applies the migrations above the database's user_version, up to and including
// `targetVersion`, and returns how many it applied (0 when the database is current, so
// reopening applies nothing twice). Each runs under BEGIN IMMEDIATE and re-reads the version
// inside the transaction, so two processes opening one database cannot both apply a step.
// Throws sqlite::Error, also when the database is at a version above latestSchemaVersion()
// (written by a later server, whose schema this one must not misread).
int migrate(sqlite::Connection& connection, int targetVersion);

}  // namespace livedata::server
