#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "store/migrations.h"
#include "store/sql_store.h"
#include "store/sqlite.h"

namespace livedata::server {
namespace {

// Writer settings. WAL lets readers go on during a commit; synchronous=NORMAL syncs at
// checkpoints only, so a power loss may drop the last commits but never corrupts the
// database, and a lost page is simply synced again from the cursor before it.
// A page of a full sync arrives in (updatedAt, id) order, so its ids land on about as many
// b-tree leaves as it has rows: a 1,000-row commit writes some 4 MB to the WAL. With the
// default checkpoint every 1,000 pages (4 MB) each commit would pay a checkpoint and its
// fsyncs; every 10,000 pages halves a million-row sync's time (measured: 200k rows, 16 s
// to 10 s). journal_size_limit truncates the WAL back after a checkpoint. The larger page
// cache keeps the trees' inner pages in memory during such syncs.
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA wal_autocheckpoint = 10000;"
    "PRAGMA journal_size_limit = 67108864;"
    "PRAGMA cache_size = -65536;"  // KiB: 64 MiB
    "PRAGMA temp_store = MEMORY;";

struct SqliteEngine {
  using Connection = sqlite::Connection;
  using Transaction = sqlite::Transaction;
  static constexpr const char* kName = "sqlite";
  static constexpr Transaction::Kind kWrite = Transaction::Kind::immediate;
  static constexpr Transaction::Kind kSnapshot = Transaction::Kind::deferred;
  // The version is the rowid; AUTOINCREMENT never reuses one (migrations.cpp, 3).
  static constexpr const char* kAppendChangeSql =
      "INSERT INTO changes (committed_at_ms, entity, keys) VALUES (?1, ?2, ?3) RETURNING version";
  // AUTOINCREMENT's own record of the largest version ever used: it survives trimming.
  static constexpr const char* kLastChangeVersionSql =
      "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'changes'";

  static std::unique_ptr<Connection> openWriter(const std::string& path, const StoreOptions&) {
    auto writer = std::make_unique<Connection>(path, Connection::Mode::readWriteCreate);
    // A damaged file is refused here rather than served: its damage would otherwise show
    // only as failures of the reads and commits that meet it, while the server said ready.
    // quick_check reads every page once (the O(N) part of integrity_check, without the
    // index-to-table cross-check): a fraction of a second for the sizes an account syncs.
    if (const std::string verdict = writer->queryText("PRAGMA quick_check(1)"); verdict != "ok") {
      throw sqlite::Error("the database file is damaged (PRAGMA quick_check: " + verdict +
                              "); restore it from a backup, or move it away for the sync to fetch everything again",
                          SQLITE_CORRUPT);
    }
    // journal_mode answers with the mode in effect, which stays "delete" (or "memory") when
    // WAL is impossible, e.g. on a file system without shared memory.
    const std::string mode = writer->queryText("PRAGMA journal_mode = WAL");
    if (mode != "wal") throw sqlite::Error("cannot switch to WAL mode (journal mode is '" + mode + "')");
    writer->execute(kWriterPragmas);
    migrate(*writer, latestSchemaVersion());
    return writer;
  }

  static std::unique_ptr<Connection> openReader(const std::string& path) {
    return std::make_unique<Connection>(path, Connection::Mode::readOnly);
  }

  // A file connection does not break the way a network link does.
  static bool usable(const Connection&) { return true; }

  static bool corrupt(const std::exception& failure) {
    const auto* error = dynamic_cast<const sqlite::Error*>(&failure);
    return error != nullptr && error->corrupt();
  }

  // A new connection, not a pooled one: pooled connections keep reading a file that was
  // deleted or moved away, while every later open (a restart) would find none. Reading a
  // table, not just "SELECT 1", proves the schema is there.
  static void ping(const std::string& path) {
    Connection probe(path, Connection::Mode::readOnly);
    probe.queryInteger("SELECT count(*) FROM sync_cursors");
  }

  // One server process per file: the lease is an exclusive flock(2) on the database file,
  // taken at the first hold() (a store that only reads never asks) and kept while the store
  // lives; the kernel drops it when the process ends, kill -9 included. So a second server
  // on the same file neither syncs nor writes (the server refuses to start then, Backend),
  // and the one process that commits is the one whose commits its feed sees.
  class Lease {
   public:
    Lease(const std::string& path, const StoreOptions&) : path_(path) {}
    ~Lease() {
      if (fd_ >= 0) ::close(fd_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    bool hold() {
      if (fd_ >= 0) return true;
      const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return false;
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
      }
      fd_ = fd;
      return true;
    }
    std::int64_t token() const { return fd_ >= 0 ? 1 : 0; }

   private:
    std::string path_;
    int fd_ = -1;
  };
  static void checkFence(Connection&, std::int64_t) {}
  struct Watcher {};
  static std::unique_ptr<Watcher> watch(const std::string&, std::function<void()>) { return nullptr; }
};

}  // namespace

Expected<std::unique_ptr<Store>, std::string> openSqliteStore(const std::string& path, const StoreOptions& options) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    return "store: '" + path + "' is not a database file path (in-memory and URI databases are not supported)";
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) return "store: cannot create folder " + parent.string() + ": " + error.message();
  }
  try {
    return SqlStore<SqliteEngine>::open(path, options);
  } catch (const std::exception& error) {
    const std::string why = error.what();  // SQLite's open failure names the file already
    return why.find(path) != std::string::npos ? "store: " + why : "store: cannot open " + path + ": " + why;
  }
}

}  // namespace livedata::server
