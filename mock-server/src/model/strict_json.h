// JSON from outside the process, read strictly. nlohmann's parser keeps the last of two
// equal keys in one object, so {"count": 5, "count": 500000} means whichever value the
// reading parser happens to keep (others keep the first): a body that says two things is
// refused instead of guessed at. Used for every JSON body of our API's routes and every
// JSON file the server reads; the simulated Klaviyo reads its bodies as Klaviyo does.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "livedata/expected.h"

namespace livedata::server {

// The document, or why it was refused, as a predicate of the document for the caller to name
// it ("the request body " + error): "is not valid JSON", or "repeats the key 'K' in one
// object" (the first key repeated).
Expected<nlohmann::json, std::string> parseJsonStrictly(std::string_view text);

}  // namespace livedata::server
