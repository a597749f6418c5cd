// A URL's password stays out of what is written down (logs, errors, status pages), by the
// server and the clients alike: "redis://user:secret@host" is shown as
// "redis://user:***@host", for every scheme.
#pragma once

#include <string>
#include <string_view>

namespace livedata {

// `url` with the password of its user information (between "scheme://user:" and '@')
// replaced by "***"; a URL without one is returned as it is.
std::string redactUrlPassword(std::string_view url);

}  // namespace livedata
