// The PostgreSQL the tests start for themselves (tests/support/postgres_process.h): a cluster
// in a temporary folder, on a free port, that survives kill -9 with what it committed and comes
// back on the same port, as the store's fault tests will need.
#include "postgres_process.h"

#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace livedata::testing {
namespace {

#define LIVEDATA_REQUIRE_POSTGRES()                                                                     \
  do {                                                                                                  \
    if (!PostgresProcess::installed()) {                                                                \
      if (std::getenv("LIVEDATA_REQUIRE_TOOLS") != nullptr) FAIL() << "PostgreSQL is not installed";  \
      GTEST_SKIP() << "PostgreSQL is not installed (" << PostgresProcess::binDir() << ")";              \
    }                                                                                                   \
  } while (false)

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Connection connect(const PostgresProcess& postgres) {
  return Connection(PQconnectdb(postgres.url().c_str()), &PQfinish);
}

// The first column of the first row, or the error.
std::string queryOne(PGconn* connection, const char* sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection, sql), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK) return "";
  if (status != PGRES_TUPLES_OK) return std::string("error: ") + PQresultErrorMessage(result.get());
  return PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
}

TEST(PostgresProcess, ACommittedRowSurvivesKillNineAndTheServerComesBackOnItsPort) {
  LIVEDATA_REQUIRE_POSTGRES();
  PostgresProcess postgres;
  const int port = postgres.port();
  {
    Connection connection = connect(postgres);
    ASSERT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
    EXPECT_EQ(queryOne(connection.get(), "SELECT current_user || '@' || current_database()"), "livedata@livedata");
    EXPECT_EQ(queryOne(connection.get(), "CREATE TABLE kept (id int PRIMARY KEY, note text)"), "");
    EXPECT_EQ(queryOne(connection.get(), "INSERT INTO kept VALUES (1, 'committed')"), "");
  }
  postgres.kill();
  EXPECT_FALSE(postgres.running());
  EXPECT_FALSE(postgres.accepting(std::chrono::milliseconds(500)));

  postgres.start();
  EXPECT_EQ(postgres.port(), port);
  Connection again = connect(postgres);
  ASSERT_EQ(PQstatus(again.get()), CONNECTION_OK) << PQerrorMessage(again.get()) << postgres.logTail();
  EXPECT_EQ(queryOne(again.get(), "SELECT note FROM kept WHERE id = 1"), "committed");
}

TEST(PostgresProcess, APausedServerTakesNoConnectionUntilResumed) {
  LIVEDATA_REQUIRE_POSTGRES();
  PostgresProcess postgres;
  postgres.pause();
  EXPECT_FALSE(postgres.accepting(std::chrono::milliseconds(1000)));
  postgres.resume();
  EXPECT_TRUE(postgres.accepting(std::chrono::milliseconds(5000)));
  postgres.stop();
  EXPECT_FALSE(postgres.running());
  postgres.start();
  EXPECT_TRUE(postgres.accepting());
}

}  // namespace
}  // namespace livedata::testing
