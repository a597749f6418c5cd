#include "klaviyo/error_document.h"

#include <nlohmann/json.hpp>

namespace livedata::server::klaviyo {

ErrorObject invalidParameter(std::string parameter, std::string detail) {
  return {400, "invalid", "Invalid input.", std::move(detail), std::move(parameter), std::nullopt};
}
ErrorObject invalidBody(std::string pointer, std::string detail) {
  return {400, "invalid", "Invalid input.", std::move(detail), std::nullopt, std::move(pointer)};
}
ErrorObject notAuthenticated() {
  return {401, "not_authenticated", "Authentication credentials were not provided.",
          "Missing or invalid private key.", std::nullopt, std::nullopt};
}
ErrorObject permissionDenied(std::string detail) {
  return {403, "permission_denied", "You do not have permission to perform this action.", std::move(detail), std::nullopt, std::nullopt};
}
ErrorObject notFound(std::string detail) { return {404, "not_found", "Not found.", std::move(detail), std::nullopt, std::nullopt}; }
ErrorObject notAcceptable(std::string detail) {
  return {406, "not_acceptable", "Could not satisfy the request Accept header.", std::move(detail), std::nullopt, std::nullopt};
}
ErrorObject unsupportedMediaType(std::string detail) {
  return {415, "unsupported_media_type", "Unsupported media type.", std::move(detail), std::nullopt, std::nullopt};
}
ErrorObject throttled(long retryAfterSeconds) {
  return {429, "throttled", "Request was throttled.",
          "Request was throttled. Expected available in " + std::to_string(retryAfterSeconds) + " second" +
              (retryAfterSeconds == 1 ? "." : "s."),
          std::nullopt, std::nullopt};
}
ErrorObject serverError() {
  return {500, "error", "A server error occurred.", "A server error occurred.", std::nullopt, std::nullopt};
}

std::string renderErrorDocument(const ErrorObject& error, std::string_view id) {
  nlohmann::ordered_json object{{"id", id},         {"status", error.status}, {"code", error.code},
                                {"title", error.title}, {"detail", error.detail}};
  if (error.sourceParameter) object["source"] = {{"parameter", *error.sourceParameter}};
  if (error.sourcePointer) object["source"] = {{"pointer", *error.sourcePointer}};
  return nlohmann::ordered_json{{"errors", nlohmann::ordered_json::array({object})}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::optional<std::string> describeErrorDocument(std::string_view body) {
  const auto document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return std::nullopt;
  const auto errors = document.find("errors");
  if (errors == document.end() || !errors->is_array() || errors->empty() || !(*errors)[0].is_object()) return std::nullopt;
  const auto& first = (*errors)[0];
  const auto text = [&](const char* member) {
    const auto found = first.find(member);
    return found != first.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  std::string message = text("code");
  if (message.empty()) return std::nullopt;
  if (const std::string detail = text("detail"); !detail.empty()) message += ": " + detail;
  if (const auto source = first.find("source"); source != first.end() && source->is_object()) {
    for (const char* member : {"parameter", "pointer"}) {
      const auto where = source->find(member);
      if (where != source->end() && where->is_string()) message += " (" + where->get<std::string>() + ")";
    }
  }
  return message;
}

}  // namespace livedata::server::klaviyo
