// The event stream parser against the WHATWG rules, fed whole and byte by byte; and the
// reading of a change notice's endpoint names.
#include "livedata/event_stream.h"

#include <gtest/gtest.h>

#include "livedata/live_feed.h"

namespace livedata {
namespace {

struct Parsed {
  std::vector<StreamEvent> events;
  std::vector<std::string> comments;
  std::vector<Millis> retries;
  bool ok = true;
};

EventStreamHandlers handlersInto(Parsed& parsed) {
  EventStreamHandlers handlers;
  handlers.onEvent = [&](const StreamEvent& event) { parsed.events.push_back(event); };
  handlers.onComment = [&](std::string_view comment) { parsed.comments.emplace_back(comment); };
  handlers.onRetry = [&](Millis retry) { parsed.retries.push_back(retry); };
  return handlers;
}

Parsed parseWhole(std::string_view text) {
  Parsed parsed;
  EventStreamParser parser;
  parsed.ok = parser.feed(text, handlersInto(parsed));
  return parsed;
}

Parsed parseBytewise(std::string_view text) {
  Parsed parsed;
  EventStreamParser parser;
  const auto handlers = handlersInto(parsed);
  for (const char c : text) parsed.ok = parser.feed(std::string_view(&c, 1), handlers) && parsed.ok;
  return parsed;
}

std::string describe(const Parsed& parsed) {
  std::string out;
  for (const auto& e : parsed.events) out += "[" + e.type + "|" + e.lastEventId + "|" + e.data + "]";
  for (const auto& c : parsed.comments) out += "(" + c + ")";
  for (const auto r : parsed.retries) out += "<" + std::to_string(r) + ">";
  return out;
}

TEST(EventStream, ParsesTheServersEventsWholeOrByteByByte) {
  const std::string stream =
      "retry: 1000\nid: 5\nevent: subscribed\ndata: {\"version\":9}\n\n"
      ": heartbeat\n\n"
      "id: 6\nevent: change\ndata: {\"version\":6}\n\n";
  const Parsed whole = parseWhole(stream);
  EXPECT_EQ(describe(whole), "[subscribed|5|{\"version\":9}][change|6|{\"version\":6}]( heartbeat)<1000>");
  EXPECT_EQ(describe(parseBytewise(stream)), describe(whole)) << "piece boundaries change nothing";
}

TEST(EventStream, AcceptsEveryLineEndingEvenSplitBetweenPieces) {
  const std::string lf = "data: a\n\n";
  const std::string crlf = "data: a\r\n\r\n";
  const std::string cr = "data: a\r\r";
  for (const std::string& text : {lf, crlf, cr}) {
    EXPECT_EQ(describe(parseWhole(text)), "[message||a]") << text;
    EXPECT_EQ(describe(parseBytewise(text)), "[message||a]") << text;
  }
  EXPECT_EQ(describe(parseWhole("data: a\r\n\r\ndata: b\r\n\r\n")), "[message||a][message||b]")
      << "a CRLF is one line end, not two";
}

TEST(EventStream, FollowsTheStandardsFieldRules) {
  // Multi-line data joins with LF; no space after the colon is fine; only one space goes.
  EXPECT_EQ(describe(parseWhole("data:one\ndata:  two\n\n")), "[message||one\n two]");
  // The last id persists to later events, and an event without data is not dispatched.
  EXPECT_EQ(describe(parseWhole("id: 7\n\ndata: x\n\nid: 8\nevent: change\n\n")), "[message|7|x]");
  // A field name alone is a field with an empty value; unknown fields are ignored.
  EXPECT_EQ(describe(parseWhole("data\nfoo: bar\n\n")), "[message||]");
  // retry takes digits only; an id with NUL is ignored.
  static constexpr char kWithNul[] = "retry: 12a\nretry: 250\nid: 1\0002\ndata: z\n\n";
  EXPECT_EQ(describe(parseWhole(std::string_view(kWithNul, sizeof kWithNul - 1))), "[message||z]<250>");
  // A leading BOM is dropped.
  EXPECT_EQ(describe(parseWhole("\xEF\xBB\xBF" "data: b\n\n")), "[message||b]");
  // An unfinished event at the end is not dispatched.
  EXPECT_EQ(describe(parseWhole("data: partial\n")), "");
}

// Found by tests/fuzz/event_stream_fuzzer: a BOM split between pieces was kept as data, so
// the first line's field name was wrong and its event lost.
TEST(EventStream, ABomSplitBetweenPiecesIsDroppedToo) {
  const std::string stream = "\xEF\xBB\xBF" "data: b\n\n";
  EXPECT_EQ(describe(parseBytewise(stream)), "[message||b]");
  EXPECT_EQ(describe(parseBytewise("\xEF\xBB" "data: c\n\n")), describe(parseWhole("\xEF\xBB" "data: c\n\n")))
      << "two bytes of a BOM are not one";
  EXPECT_EQ(describe(parseBytewise("d")), "") << "a stream shorter than a BOM";
  static constexpr char kFuzzed[] = "\xEF\xBB\xBF" "data: a\x9B\"name\"\ndata\r\r\nid*eve";
  const std::string_view fuzzed(kFuzzed, sizeof kFuzzed - 1);
  EXPECT_EQ(describe(parseBytewise(fuzzed)), describe(parseWhole(fuzzed)));
  EXPECT_EQ(describe(parseWhole(fuzzed)), "[message||a\x9B\"name\"\n]");
}

TEST(EventStream, ALineTooLongBreaksTheParserUntilReset) {
  Parsed parsed;
  EventStreamParser parser(16);
  const auto handlers = handlersInto(parsed);
  EXPECT_TRUE(parser.feed("data: short\n\n", handlers));
  EXPECT_FALSE(parser.feed(std::string(17, 'x'), handlers));
  EXPECT_FALSE(parser.feed("\n\ndata: after\n\n", handlers)) << "broken until reset";
  parser.reset();
  EXPECT_TRUE(parser.feed("data: again\n\n", handlers));
  EXPECT_EQ(describe(parsed), "[message||short][message||again]");
}

// A long line is refused whether it ends in the same piece or not.
TEST(EventStream, ALineTooLongIsRefusedEvenWhenItEndsInTheSamePiece) {
  Parsed parsed;
  EventStreamParser parser(16);
  const auto handlers = handlersInto(parsed);
  EXPECT_FALSE(parser.feed(":" + std::string(16, 'x') + "\n\n", handlers));
  EXPECT_TRUE(parsed.comments.empty());
}

// Short lines that keep adding to one event's data, never ending it, are bounded the same.
TEST(EventStream, AnEventWhoseDataGrowsTooLongBreaksTheParserUntilReset) {
  Parsed parsed;
  EventStreamParser parser(16);
  const auto handlers = handlersInto(parsed);
  EXPECT_TRUE(parser.feed("data: 12345\ndata: 1234\n\n", handlers));  // 10 bytes and the LF joining them
  EXPECT_TRUE(parser.feed("data: 12345678\n", handlers));
  EXPECT_FALSE(parser.feed("data: 12345678\n", handlers));  // 17 bytes gathered
  EXPECT_FALSE(parser.feed("\n", handlers)) << "broken until reset: the event is not dispatched";
  parser.reset();
  EXPECT_TRUE(parser.feed("data: again\n\n", handlers));
  EXPECT_EQ(describe(parsed), "[message||12345\n1234][message||again]");
}

TEST(ChangeNotice, NamesTheKnownEndpointsOfItsEndpointObjects) {
  EXPECT_EQ(endpointsNamedIn(R"({"version":12,"endpoints":[{"name":"campaigns","ids":["c1"]}]})"),
            (std::vector<std::string>{"campaigns"}));
  EXPECT_EQ(endpointsNamedIn(R"({"endpoints": [ {"name" : "overview"}, {"name":"flows"}, {"name":"flows"} ]})"),
            (std::vector<std::string>{"overview", "flows"}));
  // An id that looks like a name inside a string is not one: its quotes are escaped.
  EXPECT_EQ(endpointsNamedIn(R"({"endpoints":[{"name":"forms","ids":["\"name\":\"segments\""]}]})"),
            (std::vector<std::string>{"forms"}));
  EXPECT_TRUE(endpointsNamedIn(R"({"endpoints":[{"name":"unknown"}]})").empty());
  EXPECT_TRUE(endpointsNamedIn("not json").empty()) << "names nothing: the caller treats it as all";
}

}  // namespace
}  // namespace livedata
