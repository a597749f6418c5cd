// Tests that drive an outside tool (promtool, chromium) skip when it is missing on a
// developer's machine, and fail when LIVEDATA_REQUIRE_TOOLS is set: scripts/test.sh (and so
// CI) sets it after installing the tools, so a missing one can never pass as a skip there.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace livedata::testing {

inline bool toolOnPath(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace livedata::testing

// Use at the top of a TEST body.
#define LIVEDATA_REQUIRE_TOOL(tool)                                                                   \
  do {                                                                                                \
    if (!::livedata::testing::toolOnPath(tool)) {                                                     \
      if (std::getenv("LIVEDATA_REQUIRE_TOOLS") != nullptr) FAIL() << (tool) << " is not installed"; \
      GTEST_SKIP() << (tool) << " is not installed";                                                  \
    }                                                                                                 \
  } while (false)
