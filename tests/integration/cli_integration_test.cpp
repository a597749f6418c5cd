// The `livedata` command-line client against a real mock-server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::runCommand;
using Http = testing::ServerClient;
using testing::ServerProcess;

TEST(Cli, GetPrintsDataAndFreshnessAsJson) {
  ServerProcess server;
  const auto result = runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--status", "sent", "--limit", "3", "--json",
                                  "--server", server.baseUrl()});
  ASSERT_EQ(result.exitCode, 0) << result.out;
  const auto out = json::parse(result.out);
  EXPECT_EQ(out["endpoint"], "campaigns");
  EXPECT_TRUE(out["error"].is_null());
  ASSERT_LE(out["data"]["items"].size(), 3u);
  for (const auto& item : out["data"]["items"]) EXPECT_EQ(item["status"], "sent");
  EXPECT_FALSE(out["meta"]["fallback"].get<bool>());
}

TEST(Cli, DeadServerExitsWithNetworkCodeAndNoData) {
  int port;
  {
    ServerProcess server;  // learn a port that is free once it stops
    port = server.port();
  }
  const auto result = runCommand({LIVEDATA_CLI_PATH, "get", "flows", "--json", "--retries", "1", "--server",
                                  "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(result.exitCode, 4);
  const auto out = json::parse(result.out);
  EXPECT_EQ(out["error"]["kind"], "network");
  EXPECT_TRUE(out["meta"]["fallback"].get<bool>());
  EXPECT_TRUE(out["data"].is_null()) << "the empty stand-in is not data: " << result.out;
}

// With nothing cached, a failure prints nothing on stdout: a script reading it must not take
// an empty stand-in for "0 campaigns".
TEST(Cli, AFailureWithNothingCachedPrintsNothingOnStdout) {
  ServerProcess server;
  const auto result = runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--status", "bogus", "--server", server.baseUrl()});
  EXPECT_EQ(result.exitCode, 5);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("nothing cached to show"), std::string::npos) << result.err;
}

// A watch the server refuses (a bad parameter) ends with the refusal's code at once: no
// change would make the request right, and Ctrl-C would have said 0.
TEST(Cli, AWatchTheServerRefusesEndsWithItsCode) {
  ServerProcess server;
  const auto result = runCommand({LIVEDATA_CLI_PATH, "watch", "campaigns", "--status", "bogus", "--json", "--server",
                                  server.baseUrl()});
  EXPECT_EQ(result.exitCode, 5);
  const auto out = json::parse(result.out);
  EXPECT_EQ(out["error"]["status"], 400);
}

TEST(Cli, OptionsMayComeBeforeTheCommandAndExtraWordsAreNamed) {
  ServerProcess server;
  const auto before = runCommand({LIVEDATA_CLI_PATH, "--json", "--server", server.baseUrl(), "get", "flows", "--limit", "2"});
  ASSERT_EQ(before.exitCode, 0) << before.err;
  EXPECT_EQ(json::parse(before.out)["data"]["items"].size(), 2u);

  // An option's value is never taken for the command, even one spelt like a command.
  const auto valueLikeACommand =
      runCommand({LIVEDATA_CLI_PATH, "--status", "watch", "get", "campaigns", "--json", "--server", server.baseUrl()});
  EXPECT_EQ(valueLikeACommand.exitCode, 5) << valueLikeACommand.err;
  EXPECT_NE(valueLikeACommand.out.find("status must be one of"), std::string::npos) << valueLikeACommand.out;

  const auto extra = runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "extra", "--server", server.baseUrl()});
  EXPECT_EQ(extra.exitCode, 2);
  EXPECT_NE(extra.err.find("unexpected argument 'extra'"), std::string::npos) << extra.err;

  // An option missing its value takes the command for it: the message says so.
  const auto swallowed = runCommand({LIVEDATA_CLI_PATH, "--server", "get", "campaigns"});
  EXPECT_EQ(swallowed.exitCode, 2);
  EXPECT_NE(swallowed.err.find("--server took 'get' as its value"), std::string::npos) << swallowed.err;

  // "--" ends the options: the command and the words after it are taken as they are.
  const auto ended = runCommand({LIVEDATA_CLI_PATH, "--json", "--server", server.baseUrl(), "--", "get", "flows"});
  ASSERT_EQ(ended.exitCode, 0) << ended.err;
  EXPECT_TRUE(json::parse(ended.out)["data"].contains("items"));
  const auto dashed = runCommand({LIVEDATA_CLI_PATH, "get", "--server", server.baseUrl(), "--", "--limit"});
  EXPECT_EQ(dashed.exitCode, 2);
  EXPECT_NE(dashed.err.find("unknown endpoint '--limit'"), std::string::npos) << dashed.err;

  const auto help = runCommand({LIVEDATA_CLI_PATH, "help", "help"});
  EXPECT_EQ(help.exitCode, 0) << help.err;
  EXPECT_NE(help.out.find("Commands:"), std::string::npos);
}

TEST(Cli, VerboseLogsEveryRequestAndItsAnswer) {
  ServerProcess server;
  const auto result =
      runCommand({LIVEDATA_CLI_PATH, "get", "segments", "--limit", "1", "--verbose", "--server", server.baseUrl()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("-> GET " + server.baseUrl() + "/api/segments?limit=1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("<- GET " + server.baseUrl() + "/api/segments?limit=1: 200, "), std::string::npos)
      << result.err;
}

TEST(Cli, ExitCodesTellUsageConfigAndHttpErrorsApart) {
  ServerProcess server;
  EXPECT_EQ(runCommand({LIVEDATA_CLI_PATH, "get", "campains", "--server", server.baseUrl()}).exitCode, 2);
  EXPECT_EQ(runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--limit", "x"}).exitCode, 2);
  EXPECT_EQ(runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--server", "nonsense"}).exitCode, 3);
  // A bad URL from the environment says so: nothing on the command line was wrong.
  const auto fromEnvironment = runCommand({"/usr/bin/env", "LIVEDATA_SERVER=nonsense", LIVEDATA_CLI_PATH, "get", "campaigns"});
  EXPECT_EQ(fromEnvironment.exitCode, 3);
  EXPECT_NE(fromEnvironment.err.find("LIVEDATA_SERVER: baseUrl \"nonsense\""), std::string::npos) << fromEnvironment.err;
  // Out of range is out of range however far: the core's message and code, not "not an integer".
  for (const char* limit : {"0", "501", "2147483648", "99999999999"}) {
    const auto outOfRange = runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--limit", limit, "--server", server.baseUrl()});
    EXPECT_EQ(outOfRange.exitCode, 3) << limit << ": " << outOfRange.err;
    EXPECT_NE(outOfRange.err.find("1 to 500"), std::string::npos) << outOfRange.err;
  }
  // An offset past the end, however far, is an empty page.
  const auto farOffset = runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--offset", "99999999999", "--json", "--server",
                                     server.baseUrl()});
  ASSERT_EQ(farOffset.exitCode, 0) << farOffset.err;
  EXPECT_TRUE(json::parse(farOffset.out)["data"]["items"].empty());
  EXPECT_EQ(runCommand({LIVEDATA_CLI_PATH, "get", "campaigns", "--status", "bogus", "--server", server.baseUrl()})
                .exitCode,
            5);
  for (const char* asked : {"--version", "version"}) {
    const auto version = runCommand({LIVEDATA_CLI_PATH, asked});
    EXPECT_EQ(version.exitCode, 0) << asked << ": " << version.err;
    EXPECT_EQ(version.out.rfind("livedata ", 0), 0u) << version.out;
  }
  const auto help = runCommand({LIVEDATA_CLI_PATH, "get", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("--fresh"), std::string::npos);
}

// A 429 asking for a longer wait than the client waits (retry.maxRetryAfterMs) fails at once;
// the wait the server asked for is printed, for a person and for a script.
TEST(Cli, ARateLimitTooLongToWaitForSaysHowLongTheServerAsked) {
  ServerProcess server;
  Http http(server);
  const auto faulted = http.post("/admin/faults", {{"rules", json::array({{{"path", "/api/flows"}, {"status", 429},
                                                                           {"times", -1}, {"retryAfter", "120"}}})}});
  ASSERT_TRUE(faulted && faulted->status == 200) << (faulted ? faulted->body : "no answer");
  const auto human = runCommand({LIVEDATA_CLI_PATH, "get", "flows", "--server", server.baseUrl()});
  EXPECT_EQ(human.exitCode, 6);
  EXPECT_NE(human.err.find("the server asked to wait 2 min 0 s"), std::string::npos) << human.err;
  const auto script = runCommand({LIVEDATA_CLI_PATH, "get", "flows", "--json", "--server", server.baseUrl()});
  EXPECT_EQ(json::parse(script.out)["error"]["retryAfterMs"], 120000) << script.out;
}

TEST(Cli, RefreshReportsEveryEndpoint) {
  ServerProcess server;
  const auto result = runCommand({LIVEDATA_CLI_PATH, "refresh", "--json", "--server", server.baseUrl()});
  ASSERT_EQ(result.exitCode, 0) << result.out;
  const auto out = json::parse(result.out);
  ASSERT_TRUE(out.contains("endpoints")) << result.out;
  EXPECT_EQ(out["endpoints"].size(), 5u);
}

}  // namespace
}  // namespace livedata
