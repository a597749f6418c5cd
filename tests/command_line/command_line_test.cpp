// The argument parser every executable shares: how options are spelled, how values are
// checked, and what the help shows.
#include "livedata/command_line.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace livedata::command_line {
namespace {

enum class Colour { red, green };

struct Settings {
  int count = 3;
  double ratio = 0.5;
  std::optional<int> limit;
  bool loud = false;
  std::string name = "plain";
  std::vector<std::string> tags;
  Colour colour = Colour::green;
};

const OptionTable<Settings>& table() {
  static const OptionTable<Settings> kTable{{
      number<Settings>("count", "N", "how many", 1, 10, [](auto& s) -> auto& { return s.count; }),
      number<Settings>("ratio", "R", "a share", 0.0, 1.0, [](auto& s) -> auto& { return s.ratio; }),
      number<Settings>("limit", "N", "an optional bound", 0, 100, [](auto& s) -> auto& { return s.limit; }),
      flag<Settings>("loud", "say more", [](auto& s) -> auto& { return s.loud; }).alias("-l"),
      text<Settings>("name", "NAME", "what to call it", [](auto& s) -> auto& { return s.name; },
                     [](const std::string& value) -> Problem {
                       if (value.empty()) return std::string("expected a non-empty value");
                       return std::nullopt;
                     }),
      text<Settings>("tag", "TAG", "a label; repeat for several", [](auto& s) -> auto& { return s.tags; }),
      choice<Settings>("colour", "C", "the colour", [](auto& s) -> auto& { return s.colour; },
                       std::vector<std::pair<std::string, Colour>>{{"red", Colour::red}, {"green", Colour::green}}),
  }};
  return kTable;
}

Expected<Settings, std::string> parse(std::vector<std::string> args, bool allowPositional = false) {
  Settings settings;
  auto arguments = table().parseInto(settings, args, allowPositional);
  if (!arguments) return arguments.error();
  return settings;
}

TEST(CommandLine, ValuesAreSpelledSeparatelyOrWithAnEqualsSign) {
  const auto parsed = parse({"--count", "7", "--ratio=0.25", "--name=x", "--limit", "0"});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().count, 7);
  EXPECT_DOUBLE_EQ(parsed.value().ratio, 0.25);
  EXPECT_EQ(parsed.value().name, "x");
  EXPECT_EQ(parsed.value().limit, 0);
}

TEST(CommandLine, UnsetOptionsKeepTheStructsDefaults) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().count, 3);
  EXPECT_FALSE(parsed.value().limit.has_value());
  EXPECT_EQ(parsed.value().colour, Colour::green);
}

TEST(CommandLine, SwitchesAreBareOrTakeTrueOrFalse) {
  EXPECT_TRUE(parse({"--loud"}).value().loud);
  EXPECT_TRUE(parse({"-l"}).value().loud);
  EXPECT_FALSE(parse({"--loud", "--loud=false"}).value().loud) << "the last one wins";
  EXPECT_EQ(parse({"--loud=maybe"}).error(), "--loud: expected true or false, got 'maybe'");
}

TEST(CommandLine, AListGetsEveryOccurrence) {
  EXPECT_EQ(parse({"--tag", "a", "--tag=b"}).value().tags, (std::vector<std::string>{"a", "b"}));
}

TEST(CommandLine, ErrorsNameTheOptionAndWhatWasExpected) {
  EXPECT_EQ(parse({"--count", "11"}).error(), "--count: expected an integer from 1 to 10, got '11'");
  EXPECT_EQ(parse({"--count", "2x"}).error(), "--count: expected an integer from 1 to 10, got '2x'");
  EXPECT_EQ(parse({"--count", ""}).error(), "--count: expected an integer from 1 to 10, got ''");
  EXPECT_EQ(parse({"--ratio", "nan"}).error(), "--ratio: expected a number from 0 to 1, got 'nan'");
  EXPECT_EQ(parse({"--ratio", "1.5"}).error(), "--ratio: expected a number from 0 to 1, got '1.5'");
  EXPECT_EQ(parse({"--name="}).error(), "--name: expected a non-empty value");
  EXPECT_EQ(parse({"--colour", "blue"}).error(), "--colour: expected red or green, got 'blue'");
  EXPECT_EQ(parse({"--count"}).error(), "--count: missing value N");
  EXPECT_EQ(parse({"--size", "3"}).error(), "unknown option '--size'");
  EXPECT_EQ(parse({"-q"}).error(), "unknown option '-q'");
  EXPECT_EQ(parse({"extra"}).error(), "unexpected argument 'extra'");
}

TEST(CommandLine, PositionalArgumentsAreKeptInOrderWhereAllowed) {
  Settings settings;
  const auto arguments = table().parseInto(settings, {"one", "--count", "4", "two"}, /*allowPositional=*/true);
  ASSERT_TRUE(arguments.ok()) << arguments.error();
  EXPECT_EQ(arguments.value().positional, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(settings.count, 4);
  // A value that looks like an option still belongs to the option before it.
  EXPECT_EQ(table().parseInto(settings, {"--name", "-x"}).ok(), true);
  EXPECT_EQ(settings.name, "-x");
}

TEST(CommandLine, EverythingAfterADoubleDashIsPositional) {
  Settings settings;
  const auto arguments =
      table().parseInto(settings, {"--count", "4", "--", "--count", "-l", "--help"}, /*allowPositional=*/true);
  ASSERT_TRUE(arguments.ok()) << arguments.error();
  EXPECT_EQ(arguments.value().positional, (std::vector<std::string>{"--count", "-l", "--help"}));
  EXPECT_FALSE(arguments.value().help);
  EXPECT_EQ(settings.count, 4);
  EXPECT_FALSE(settings.loud);
  EXPECT_TRUE(parse({"--"}).ok()) << "nothing after it is nothing positional";
  EXPECT_EQ(parse({"--", "-l"}).error(), "unexpected argument '-l'");
}

TEST(CommandLine, HelpStopsParsingWhereverItIs) {
  Settings settings;
  const auto arguments = table().parseInto(settings, {"--count", "5", "--help", "--count", "nonsense"});
  ASSERT_TRUE(arguments.ok()) << arguments.error();
  EXPECT_TRUE(arguments.value().help);
  EXPECT_EQ(settings.count, 3) << "nothing applies when help is asked for";
}

TEST(CommandLine, TheHelpShowsEachOptionWithTheStructsDefault) {
  const std::string help = table().help();
  EXPECT_NE(help.find("  --count N"), std::string::npos) << help;
  EXPECT_NE(help.find("how many (default 3)"), std::string::npos) << help;
  EXPECT_NE(help.find("a share (default 0.5)"), std::string::npos) << help;
  EXPECT_NE(help.find("an optional bound\n"), std::string::npos) << "an unset optional shows no default";
  EXPECT_NE(help.find("  -l, --loud"), std::string::npos) << help;
  EXPECT_NE(help.find("say more (default off)"), std::string::npos) << help;
  EXPECT_NE(help.find("the colour: red or green (default green)"), std::string::npos) << help;
}

TEST(CommandLine, LongHelpIsWrappedUnderItsColumn) {
  const OptionTable<Settings> wide{{number<Settings>("count", "N", std::string(30, 'a') + " " + std::string(40, 'b') +
                                                                       " " + std::string(40, 'c'),
                                                     1, 10, [](auto& s) -> auto& { return s.count; })}};
  const std::string help = wide.help();
  // 30 columns of flag, then 30 + 1 + 40 would pass 100: each long word goes on its own line.
  const std::string indent(30, ' ');
  EXPECT_EQ(help, "  --count N" + std::string(19, ' ') + std::string(30, 'a') + "\n" + indent + std::string(40, 'b') +
                      "\n" + indent + std::string(40, 'c') + " (default 3)\n");
}

}  // namespace
}  // namespace livedata::command_line
