#include "http/weighted_list.h"

#include <cstdlib>
#include <string>

#include "livedata/types.h"  // equalsIgnoreCase

namespace livedata::server {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The weight among one member's parameters ";charset=utf-8;q=0.5" (1 when absent or
// unparsable).
double weightOf(std::string_view parameters) {
  while (!parameters.empty()) {
    const std::size_t semicolon = parameters.find(';');
    const std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
    if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
      const std::string value(trim(parameter.substr(2)));
      char* end = nullptr;
      const double q = std::strtod(value.c_str(), &end);
      return end == value.c_str() ? 1.0 : q;
    }
  }
  return 1.0;
}

}  // namespace

std::optional<double> listedWeight(std::string_view field, std::string_view name) {
  std::optional<double> weight;
  while (!field.empty()) {
    const std::size_t comma = field.find(',');
    const std::string_view member = field.substr(0, comma);
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    const std::size_t semicolon = member.find(';');
    if (!equalsIgnoreCase(trim(member.substr(0, semicolon)), name)) continue;
    // The last member of that name counts, should a sender repeat one.
    weight = semicolon == std::string_view::npos ? 1.0 : weightOf(member.substr(semicolon + 1));
  }
  return weight;
}

}  // namespace livedata::server
