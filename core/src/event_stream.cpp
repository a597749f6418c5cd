#include "livedata/event_stream.h"

#include <algorithm>

namespace livedata {

void EventStreamParser::reset() { *this = EventStreamParser(maxEventBytes_); }

bool EventStreamParser::feed(std::string_view bytes, const EventStreamHandlers& handlers) {
  if (broken_) return false;
  if (!started_) {
    // The stream's first bytes are held until they show whether they are a BOM, which may
    // come split across pieces like anything else (found by the fuzzer).
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    const std::size_t taken = std::min(kBom.size() - head_.size(), bytes.size());
    head_.append(bytes.substr(0, taken));
    bytes.remove_prefix(taken);
    if (head_.size() < kBom.size() && kBom.substr(0, head_.size()) == head_) return true;  // maybe a BOM still
    started_ = true;
    const std::string head = head_ == kBom ? std::string() : std::move(head_);
    head_.clear();
    if (!head.empty() && !feed(head, handlers)) return false;
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\r' && c != '\n') {
      afterCarriageReturn_ = false;
      continue;
    }
    if (c == '\n' && afterCarriageReturn_ && i == start) {  // the LF of a CRLF
      afterCarriageReturn_ = false;
      start = i + 1;
      continue;
    }
    afterCarriageReturn_ = c == '\r';
    if (line_.size() + (i - start) > maxEventBytes_) return breakStream();
    if (line_.empty()) {
      processLine(bytes.substr(start, i - start), handlers);
    } else {
      line_.append(bytes.substr(start, i - start));
      processLine(line_, handlers);
      line_.clear();
    }
    if (data_.size() > maxEventBytes_) return breakStream();
    start = i + 1;
  }
  line_.append(bytes.substr(start));
  if (line_.size() > maxEventBytes_) return breakStream();
  return true;
}

bool EventStreamParser::breakStream() {
  broken_ = true;
  line_.clear();
  data_.clear();
  return false;
}

void EventStreamParser::processLine(std::string_view line, const EventStreamHandlers& handlers) {
  if (line.empty()) {  // dispatch
    if (hasData_) {
      StreamEvent event;
      event.type = type_.empty() ? "message" : type_;
      event.data = std::move(data_);
      event.lastEventId = lastEventId_;
      if (handlers.onEvent) handlers.onEvent(event);
    }
    type_.clear();
    data_.clear();
    hasData_ = false;
    return;
  }
  if (line.front() == ':') {
    if (handlers.onComment) handlers.onComment(line.substr(1));
    return;
  }
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (hasData_) data_ += '\n';
    data_.append(value);
    hasData_ = true;
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) lastEventId_.assign(value);
  } else if (field == "retry") {
    if (const auto retry = parseNonNegativeDecimal(value); retry && handlers.onRetry) handlers.onRetry(*retry);
  }
}

}  // namespace livedata
