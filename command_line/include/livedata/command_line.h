// The one argument parser of every livedata executable (mock-server, the `livedata` CLI and
// the benchmarks). An executable lists its options once, in an OptionTable: each with its
// flag, the placeholder of its value (none for a switch), its help, the default shown in the
// help (taken from the options struct's own default, so the two cannot disagree) and how a
// textual value applies. The same `apply` serves the command line, and for mock-server its
// JSON file and environment too, so every source is validated alike.
//
// Spellings: "--name value", "--name=value", a bare switch ("--json"), "--switch=false", a
// short alias ("-v"); "-h" and "--help" ask for help. Errors name the option:
// "--port: expected an integer from 0 to 65535, got 'x'".
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "livedata/expected.h"

namespace livedata::command_line {

// What is wrong with a value, without the option's name; nullopt when it applied.
using Problem = std::optional<std::string>;

// A number as the help shows it: 0.5 rather than 0.500000, 1e+07 for large reals.
template <typename Number>
std::string formatNumber(Number value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// The whole of `text` as a Number within [low, high], or what is wrong with it.
template <typename Number>
Expected<Number, std::string> parseNumber(const std::string& text, Number low, Number high) {
  static_assert(std::is_arithmetic_v<Number>);
  const std::string range =
      std::string(std::is_integral_v<Number> ? "expected an integer" : "expected a number") + " from " +
      formatNumber(low) + " to " + formatNumber(high) + ", got '" + text + "'";
  Number value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return range;
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(value)) return range;
  }
  if (value < low || value > high) return range;
  return value;
}

// "true"/"1"/"" (a bare switch) is on, "false"/"0" off.
Expected<bool, std::string> parseSwitch(const std::string& text);

// How an option is written on the command line, apart from what it does.
struct Spelling {
  std::string name;        // without "--"; also mock-server's config file key
  std::string valueName;   // the value's placeholder in the help; empty: a switch
  std::string shortAlias;  // e.g. "-v"; empty: none
  bool repeatable = false;  // each occurrence applies (a list); otherwise the last one wins
  bool isSwitch() const { return valueName.empty(); }
};

// One option of an options struct.
template <typename Options>
struct Option {
  Spelling spelling;
  std::string help;         // what it does, without the default
  std::string defaultText;  // shown as "(default X)"; empty: nothing shown
  std::function<Problem(Options&, const std::string& value)> apply;

  const std::string& name() const { return spelling.name; }
  // The help shows `text` as the default instead of the struct's, where the real default is
  // decided elsewhere (the environment, another option).
  Option shownDefault(std::string text) && {
    defaultText = std::move(text);
    return std::move(*this);
  }
  Option repeatable() && {
    spelling.repeatable = true;
    return std::move(*this);
  }
  Option alias(std::string shortAlias) && {
    spelling.shortAlias = std::move(shortAlias);
    return std::move(*this);
  }
};

// The arguments as written: which options were given with which values, in order, and the
// positional arguments between them.
struct Arguments {
  bool help = false;  // -h or --help was given (parsing stops there)
  std::vector<std::pair<std::size_t, std::string>> given;  // index into the table, value
  std::vector<std::string> positional;
};

// Splits `args` (without the program name) by `spellings`; an error names the argument.
// With `allowPositional` false, a positional argument is an error. Every argument after
// "--" is positional, whatever it looks like.
Expected<Arguments, std::string> splitArguments(const std::vector<std::string>& args,
                                                const std::vector<Spelling>& spellings, bool allowPositional);

// "  --name VALUE   help (default X)" lines, the help starting at `column`.
std::string helpLines(const std::vector<std::pair<Spelling, std::string>>& described, std::size_t column = 30);

template <typename Options>
class OptionTable {
 public:
  explicit OptionTable(std::vector<Option<Options>> options) : options_(std::move(options)) {}

  const std::vector<Option<Options>>& options() const { return options_; }

  const Option<Options>* find(std::string_view name) const {
    for (const auto& option : options_) {
      if (option.name() == name) return &option;
    }
    return nullptr;
  }

  Expected<Arguments, std::string> split(const std::vector<std::string>& args, bool allowPositional = false) const {
    std::vector<Spelling> spellings;
    for (const auto& option : options_) spellings.push_back(option.spelling);
    return splitArguments(args, spellings, allowPositional);
  }

  // Applies what `arguments` gave, in order; the first problem, named by its flag.
  Problem apply(Options& options, const Arguments& arguments) const {
    for (const auto& [index, value] : arguments.given) {
      const Option<Options>& option = options_[index];
      if (auto problem = option.apply(options, value)) return "--" + option.name() + ": " + *problem;
    }
    return std::nullopt;
  }

  // Splits and applies in one step, for executables with no other source of options.
  Expected<Arguments, std::string> parseInto(Options& options, const std::vector<std::string>& args,
                                             bool allowPositional = false) const {
    auto arguments = split(args, allowPositional);
    if (!arguments || arguments.value().help) return arguments;
    if (auto problem = apply(options, arguments.value())) return *problem;
    return arguments;
  }

  // The options' help lines; `suffix` may add to each (mock-server names the environment
  // variable).
  std::string help(const std::function<std::string(const Option<Options>&)>& suffix = nullptr,
                   std::size_t column = 30) const {
    std::vector<std::pair<Spelling, std::string>> described;
    for (const auto& option : options_) {
      std::string text = option.help;
      if (!option.defaultText.empty()) text += " (default " + option.defaultText + ")";
      if (suffix) text += suffix(option);
      described.emplace_back(option.spelling, std::move(text));
    }
    return helpLines(described, column);
  }

 private:
  std::vector<Option<Options>> options_;
};

namespace detail {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {
  using Value = T;
};

// A default-constructed Options, whose fields are the defaults the help shows. Only read.
template <typename Options>
Options& defaults() {
  static Options instance{};
  return instance;
}

template <typename Options, typename Access>
decltype(auto) defaultOf(Access access) {
  return access(defaults<Options>());
}

}  // namespace detail

// The option builders. `access` maps an Options& to the field it sets (a reference), so a
// field of an embedded module struct is as easy as one at the top:
//   number<ServerOptions>("cache-ttl", "S", "...", 1, kMax, [](auto& o) -> auto& { return o.cache.ttlSeconds; })
// The help's default is the field's value in Options{}.

// An integer or real within [low, high]; a std::optional field stays unset unless given.
template <typename Options, typename Access, typename Number>
Option<Options> number(std::string name, std::string valueName, std::string help, Number low, Number high,
                       Access access) {
  using Field = std::remove_reference_t<decltype(access(std::declval<Options&>()))>;
  std::string defaultText;
  if constexpr (detail::IsOptional<Field>::value) {
    const auto& value = detail::defaultOf<Options>(access);
    if (value) defaultText = formatNumber(*value);
  } else {
    defaultText = formatNumber(detail::defaultOf<Options>(access));
  }
  return {Spelling{std::move(name), std::move(valueName), {}, false}, std::move(help), std::move(defaultText),
          [=](Options& options, const std::string& text) -> Problem {
            auto parsed = parseNumber<Number>(text, low, high);
            if (!parsed) return parsed.error();
            Field& field = access(options);
            if constexpr (detail::IsOptional<Field>::value) {
              field = static_cast<typename detail::IsOptional<Field>::Value>(parsed.value());
            } else {
              field = static_cast<Field>(parsed.value());
            }
            return std::nullopt;
          }};
}

// A switch: bare is on, "=false" off.
template <typename Options, typename Access>
Option<Options> flag(std::string name, std::string help, Access access) {
  const bool on = detail::defaultOf<Options>(access);
  return {Spelling{std::move(name), {}, {}, false}, std::move(help), on ? "on" : "off",
          [=](Options& options, const std::string& text) -> Problem {
            auto parsed = parseSwitch(text);
            if (!parsed) return parsed.error();
            access(options) = parsed.value();
            return std::nullopt;
          }};
}

// A text, checked by `check` when given (nullptr: any text, even empty). A std::optional
// field stays unset unless given; a std::vector field gets each occurrence appended.
template <typename Options, typename Access>
Option<Options> text(std::string name, std::string valueName, std::string help, Access access,
                     std::function<Problem(const std::string&)> check = nullptr) {
  using Field = std::remove_reference_t<decltype(access(std::declval<Options&>()))>;
  constexpr bool kList = std::is_same_v<Field, std::vector<std::string>>;
  std::string defaultText;
  if constexpr (!kList) {
    const auto& value = detail::defaultOf<Options>(access);
    if constexpr (detail::IsOptional<Field>::value) {
      if (value) defaultText = *value;
    } else {
      defaultText = value;
    }
  }
  Option<Options> option{Spelling{std::move(name), std::move(valueName), {}, false}, std::move(help), std::move(defaultText),
                         [=](Options& options, const std::string& value) -> Problem {
                           if (check) {
                             if (auto problem = check(value)) return problem;
                           }
                           if constexpr (kList) {
                             access(options).push_back(value);
                           } else {
                             access(options) = value;
                           }
                           return std::nullopt;
                         }};
  option.spelling.repeatable = kList;
  return option;
}

// One of a fixed set of words, each standing for a value.
template <typename Options, typename Access, typename Value>
Option<Options> choice(std::string name, std::string valueName, std::string help, Access access,
                       std::vector<std::pair<std::string, Value>> words) {
  std::string listed;
  std::string defaultText;
  for (std::size_t i = 0; i < words.size(); ++i) {
    listed += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i].first;
    if (words[i].second == detail::defaultOf<Options>(access)) defaultText = words[i].first;
  }
  return {Spelling{std::move(name), std::move(valueName), {}, false}, std::move(help) + ": " + listed, std::move(defaultText),
          [=](Options& options, const std::string& value) -> Problem {
            for (const auto& [word, meaning] : words) {
              if (word == value) {
                access(options) = meaning;
                return std::nullopt;
              }
            }
            return "expected " + listed + ", got '" + value + "'";
          }};
}

// Anything else: `apply` parses and sets the value itself; `defaultText` is shown as is.
template <typename Options>
Option<Options> custom(std::string name, std::string valueName, std::string help, std::string defaultText,
                       std::function<Problem(Options&, const std::string&)> apply) {
  return {Spelling{std::move(name), std::move(valueName), {}, false}, std::move(help), std::move(defaultText), std::move(apply)};
}

}  // namespace livedata::command_line
