#include "livedata/command_line.h"

#include <algorithm>

namespace livedata::command_line {

Expected<bool, std::string> parseSwitch(const std::string& text) {
  if (text.empty() || text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return "expected true or false, got '" + text + "'";
}

Expected<Arguments, std::string> splitArguments(const std::vector<std::string>& args,
                                                const std::vector<Spelling>& spellings, bool allowPositional) {
  Arguments arguments;
  const auto find = [&spellings](const std::string& written, bool isAlias) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < spellings.size(); ++i) {
      if (isAlias ? spellings[i].shortAlias == written : spellings[i].name == written) return i;
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& argument = args[i];
    if (argument == "--") {  // the usual end of options: what follows is positional, dashes and all
      for (++i; i < args.size(); ++i) {
        if (!allowPositional) return "unexpected argument '" + args[i] + "'";
        arguments.positional.push_back(args[i]);
      }
      break;
    }
    if (argument == "-h" || argument == "--help") {
      arguments.help = true;
      return arguments;
    }
    const bool isLong = argument.rfind("--", 0) == 0;
    if (!isLong && (argument.size() < 2 || argument[0] != '-')) {
      if (!allowPositional) return "unexpected argument '" + argument + "'";
      arguments.positional.push_back(argument);
      continue;
    }
    const auto equals = isLong ? argument.find('=') : std::string::npos;
    const std::string written = argument.substr(0, equals);
    const auto index = isLong ? find(written.substr(2), false) : find(written, true);
    if (!index) return "unknown option '" + written + "'";
    const Spelling& spelling = spellings[*index];
    std::string value;
    if (equals != std::string::npos) {
      value = argument.substr(equals + 1);  // a switch takes "=false" too
    } else if (!spelling.isSwitch()) {
      if (i + 1 >= args.size()) return "--" + spelling.name + ": missing value " + spelling.valueName;
      value = args[++i];
    }
    arguments.given.emplace_back(*index, std::move(value));
  }
  return arguments;
}

namespace {

constexpr std::size_t kLineWidth = 100;

// `text` broken at spaces so no line passes kLineWidth, its first line starting at `first`
// and the others indented to `indent`.
std::string wrapped(const std::string& text, std::size_t first, std::size_t indent) {
  std::string out;
  std::size_t used = first;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    const bool firstWord = start == 0;
    if (!firstWord && used + 1 + word.size() > kLineWidth) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
    } else if (!firstWord) {
      out += ' ';
      ++used;
    }
    out += word;
    used += word.size();
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string helpLines(const std::vector<std::pair<Spelling, std::string>>& described, std::size_t column) {
  std::string text;
  for (const auto& [spelling, help] : described) {
    std::string left = "  ";
    if (!spelling.shortAlias.empty()) left += spelling.shortAlias + ", ";
    left += "--" + spelling.name;
    if (!spelling.isSwitch()) left += " " + spelling.valueName;
    left.resize(std::max(left.size() + 1, column), ' ');
    text += left + wrapped(help, left.size(), column) + "\n";
  }
  return text;
}

}  // namespace livedata::command_line
