// The Prometheus alerting rules (docs/prometheus/alerts.yml) are valid, fire as their unit
// tests say (promtool), and name only series a real server exposes, with the labels it
// gives them: renaming a metric or a label breaks this test, not an operator's pager.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "required_tool.h"
#include "server_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using testing::ServerProcess;
using Client = testing::ServerClient;

const std::string kRules = LIVEDATA_SOURCE_DIR "/docs/prometheus/alerts.yml";
const std::string kRuleTests = LIVEDATA_SOURCE_DIR "/docs/prometheus/alerts_test.yml";

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

// Every series selector in `text` whose metric is the server's own (livedata_..., not a
// recording rule's livedata:...), with the label names its matchers use.
std::map<std::string, std::set<std::string>> selectorsIn(const std::string& text) {
  std::map<std::string, std::set<std::string>> selectors;
  for (std::size_t i = 0; i < text.size();) {
    if (!isNameChar(text[i]) || (i > 0 && isNameChar(text[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && isNameChar(text[end])) ++end;
    const std::string name = text.substr(i, end - i);
    i = end;
    if (name.rfind("livedata_", 0) != 0 || name.find(':') != std::string::npos) continue;
    auto& labels = selectors[name];
    if (end < text.size() && text[end] == '{') {
      const std::size_t close = text.find('}', end);
      std::string matchers = text.substr(end + 1, close - end - 1);
      std::stringstream list(matchers);
      for (std::string matcher; std::getline(list, matcher, ',');) {
        std::size_t from = matcher.find_first_not_of(' ');
        std::size_t to = from;
        while (to < matcher.size() && isNameChar(matcher[to])) ++to;
        if (from != std::string::npos && to > from) labels.insert(matcher.substr(from, to - from));
      }
      i = close;
    }
  }
  return selectors;
}

// Each series name of a Prometheus text exposition, with the label names it carries.
std::map<std::string, std::set<std::string>> seriesIn(const std::string& exposition) {
  std::map<std::string, std::set<std::string>> series;
  std::stringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t end = 0;
    while (end < line.size() && isNameChar(line[end])) ++end;
    auto& labels = series[line.substr(0, end)];
    if (end < line.size() && line[end] == '{') {
      for (std::size_t at = end + 1; at < line.size() && line[at] != '}';) {
        const std::size_t equals = line.find('=', at);
        labels.insert(line.substr(at, equals - at));
        const std::size_t closingQuote = line.find('"', line.find('"', equals) + 1);
        at = closingQuote + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
    }
  }
  return series;
}

TEST(AlertRules, PromtoolChecksTheRulesAndTheirUnitTestsPass) {
  LIVEDATA_REQUIRE_TOOL("promtool");  // Debian package prometheus; scripts/setup.sh --test
  EXPECT_EQ(std::system(("promtool check rules " + kRules).c_str()), 0);
  EXPECT_EQ(std::system("cd " LIVEDATA_SOURCE_DIR "/docs/prometheus && promtool test rules alerts_test.yml"), 0);
}

TEST(AlertRules, NameOnlySeriesAndLabelsARealServerExposes) {
  ServerProcess server;
  Client client(server);
  ASSERT_EQ(client.status("/api/campaigns"), 200);  // a miss, then a hit: both counters move
  ASSERT_EQ(client.status("/api/campaigns"), 200);
  ASSERT_EQ(client.status("/api/overview"), 200);
  const auto exposition = client.get("/metrics");
  ASSERT_TRUE(exposition);
  ASSERT_EQ(exposition->status, 200);
  const auto exposed = seriesIn(exposition->body);

  // Prometheus adds these to every series it scrapes.
  const std::set<std::string> addedByPrometheus{"job", "instance"};
  std::size_t checked = 0;
  for (const std::string& file : {kRules, kRuleTests}) {
    const std::string text = readFile(file);
    ASSERT_FALSE(text.empty()) << file;
    for (const auto& [name, labels] : selectorsIn(text)) {
      const auto found = exposed.find(name);
      ASSERT_NE(found, exposed.end()) << file << " names " << name << ", which the server does not expose";
      for (const std::string& label : labels) {
        if (addedByPrometheus.count(label)) continue;
        EXPECT_EQ(found->second.count(label), 1u) << file << ": " << name << " has no label " << label;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u) << "the rules name the server's series";
}

}  // namespace
}  // namespace livedata
