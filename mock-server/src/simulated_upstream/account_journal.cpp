#include "simulated_upstream/account_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "model/strict_json.h"

namespace livedata::server {
namespace {

nlohmann::json originJson(const JournalOrigin& origin) {
  const DatasetSizes& s = origin.sizes;
  return {{"seed", origin.seed},         {"campaigns", s.campaigns}, {"flows", s.flows},
          {"forms", s.forms},            {"segments", s.segments},   {"days", s.days},
          {"lastDay", s.lastDay},        {"asOf", timeFrameOf(s).end}};
}

std::optional<JournalOrigin> originFrom(const std::string& line) {
  const auto parsed = parseJsonStrictly(line);
  if (!parsed || !parsed.value().is_object()) return std::nullopt;
  const nlohmann::json& json = parsed.value();
  JournalOrigin origin;
  const auto field = [&](const char* name, auto& into) {
    const auto it = json.find(name);
    if (it == json.end() || !it->is_number_integer()) return false;
    into = it->get<std::decay_t<decltype(into)>>();
    return true;
  };
  DatasetSizes& s = origin.sizes;
  UnixSeconds asOf = 0;
  if (!(field("seed", origin.seed) && field("campaigns", s.campaigns) && field("flows", s.flows) &&
        field("forms", s.forms) && field("segments", s.segments) && field("days", s.days) &&
        field("lastDay", s.lastDay) && field("asOf", asOf))) {
    return std::nullopt;
  }
  s.asOf = asOf;
  return origin;
}

// More than any batch the account makes (the admin route's bound is 1,000,000): a line
// asking for more is damaged, and replaying it would keep the server from starting for hours.
constexpr int kMaxBatch = 10'000'000;

std::optional<JournalBatch> batchFrom(std::string_view line) {
  JournalBatch batch;
  const char* end = line.data() + line.size();
  auto [afterAt, atError] = std::from_chars(line.data(), end, batch.at);
  if (atError != std::errc() || afterAt == end || *afterAt != ' ') return std::nullopt;
  auto [afterCount, countError] = std::from_chars(afterAt + 1, end, batch.count);
  if (countError != std::errc() || afterCount != end || batch.count < 0 || batch.count > kMaxBatch) return std::nullopt;
  return batch;
}

// The journal's text up to its last complete line (what follows was cut off by a crash).
Expected<std::string, std::string> readCompleteLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(std::string("cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  content.resize(content.rfind('\n') == std::string::npos ? 0 : content.rfind('\n') + 1);
  return content;
}

}  // namespace

Expected<AccountJournal::Opened, std::string> AccountJournal::open(const std::string& path, const JournalOrigin& origin,
                                                                  bool historyEndsNow) {
  const auto fail = [&](const std::string& why) { return "account journal " + path + ": " + why; };
  Opened opened;
  opened.origin = origin;
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) return fail(error.message());
  const std::uintmax_t size = exists ? std::filesystem::file_size(path, error) : 0;
  if (error) return fail(error.message());

  // Only an absent or empty file becomes a new journal: anything else at a mistyped path
  // (a key, a database) is refused, never overwritten.
  if (size == 0) {
    const std::string temporary = path + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << originJson(origin).dump() << '\n' << std::flush;
      if (!out) return fail("cannot be written");
    }
    std::filesystem::rename(temporary, path, error);  // whole or not at all
    if (error) return fail(error.message());
  } else {
    auto read = readCompleteLines(path);
    if (!read) return fail(read.error());
    const std::string content = std::move(read).value();
    std::istringstream lines(content);
    std::string line;
    const auto recorded = std::getline(lines, line) ? originFrom(line) : std::nullopt;
    if (!recorded) {
      return fail("line 1 is not an account's origin: not an account journal (remove the file to start the account "
                  "anew)");
    }
    JournalOrigin expected = origin;
    if (historyEndsNow) {
      expected.sizes.lastDay = recorded->sizes.lastDay;
      expected.sizes.asOf = recorded->sizes.asOf;
    }
    if (originJson(*recorded) != originJson(expected)) {
      return fail("written for another account (" + originJson(*recorded).dump() + ", asked for " +
                  originJson(expected).dump() + "); remove the file or give the same options");
    }
    opened.origin = *recorded;
    for (int number = 2; std::getline(lines, line); ++number) {
      const auto batch = batchFrom(line);
      if (!batch) return fail("line " + std::to_string(number) + " is not '<time> <count>'");
      opened.replay.push_back(*batch);
    }
    // Appends go after the last complete line: a cut-off one is dropped from the file too.
    opened.droppedBytes = size - content.size();
    if (opened.droppedBytes > 0) {
      std::filesystem::resize_file(path, content.size(), error);
      if (error) return fail(error.message());
    }
  }

  // One account per journal: a second process appending to it would interleave its batches.
  const int lock = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return fail(std::strerror(errno));
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock);
    return fail("in use by another account (another server holds it)");
  }
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) {
    ::close(lock);
    return fail("cannot be written");
  }
  opened.journal.reset(new AccountJournal(path, std::move(out), lock));
  return opened;
}

AccountJournal::~AccountJournal() { ::close(lock_); }

bool AccountJournal::append(const JournalBatch& batch) {
  out_ << batch.at << ' ' << batch.count << '\n' << std::flush;
  return static_cast<bool>(out_);
}

}  // namespace livedata::server
