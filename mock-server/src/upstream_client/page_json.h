// The body of a change-feed page on the wire (docs/upstream.md), both ways: the upstream
// server renders it, the HTTP client parses it back. Keeping both here keeps them one format.
//
//   {"data": [record, ...], "next_cursor": "..." | null}
//
// A record has every field of its type's field table (model/record_fields.h): a metrics
// record (a day, identified by its "date") also carries "updatedAt", as every other record does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "livedata/expected.h"
#include "model/entity.h"
#include "upstream_client/upstream_source.h"

namespace livedata::server {

std::string renderPage(const EntityRows& rows, const std::optional<std::string>& nextCursor);

// Strict: every field present with its type, statuses from their documented sets,
// timestamps and dates valid, records in (updatedAt, id) order. Fields the format does not
// name are ignored. The error names the first fault, e.g. "data[3].opens: expected an integer".
Expected<UpstreamPage, std::string> parsePage(Entity entity, std::string_view body);

// Exactly "YYYY-MM-DDTHH:MM:SSZ", as formatIsoTimestamp writes it; nullopt otherwise.
std::optional<UnixSeconds> parseIsoTimestamp(std::string_view text);

}  // namespace livedata::server
