#include "event_stream_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace livedata::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

EventStreamClient::EventStreamClient(int port, const std::string& target,
                                     const std::map<std::string, std::string>& headers, const std::string& method) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close();
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("cannot send the request");
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::size_t end;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (!readMore(deadline)) throw std::runtime_error("no response headers: " + raw_);
  }
  const std::string head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  std::size_t lineEnd = head.find("\r\n");
  const std::string statusLine = head.substr(0, lineEnd);
  status_ = std::stoi(statusLine.substr(statusLine.find(' ') + 1, 3));
  while (lineEnd != std::string::npos) {
    const std::size_t start = lineEnd + 2;
    lineEnd = head.find("\r\n", start);
    const std::string line = head.substr(start, lineEnd == std::string::npos ? std::string::npos : lineEnd - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers_[lowerCase(line.substr(0, colon))] = value;
  }
  chunked_ = lowerCase(header("transfer-encoding")) == "chunked";
}

EventStreamClient::~EventStreamClient() { close(); }

void EventStreamClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string EventStreamClient::header(const std::string& lowerCaseName) const {
  const auto found = headers_.find(lowerCaseName);
  return found == headers_.end() ? "" : found->second;
}

bool EventStreamClient::readMore(Clock::time_point deadline) {
  if (fd_ < 0) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  pollfd wait{fd_, POLLIN, 0};
  if (left <= 0 || ::poll(&wait, 1, static_cast<int>(left)) <= 0) return false;
  char buffer[16384];
  const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
  if (got <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

bool EventStreamClient::decodeChunks() {
  if (!chunked_) {
    body_ += raw_;
    raw_.clear();
    return true;
  }
  while (true) {
    const std::size_t sizeEnd = raw_.find("\r\n");
    if (sizeEnd == std::string::npos) return true;
    const std::size_t size = std::stoul(raw_.substr(0, sizeEnd), nullptr, 16);
    if (size == 0) {
      ended_ = true;
      return false;
    }
    if (raw_.size() < sizeEnd + 2 + size + 2) return true;
    body_.append(raw_, sizeEnd + 2, size);
    raw_.erase(0, sizeEnd + 2 + size + 2);
  }
}

std::string EventStreamClient::readWholeBody(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::size_t length = header("content-length").empty() ? 0 : std::stoul(header("content-length"));
  while (decodeChunks() && !ended_ && (length == 0 || body_.size() < length) && readMore(deadline)) {
  }
  decodeChunks();
  return body_;
}

bool EventStreamClient::takeEvent(StreamEvent& event) {
  while (true) {
    const std::size_t end = body_.find("\n\n");
    if (end == std::string::npos) return false;
    const std::string block = body_.substr(0, end);
    body_.erase(0, end + 2);
    StreamEvent parsed;
    parsed.event = "message";
    bool any = false;
    std::size_t start = 0;
    while (start <= block.size()) {
      std::size_t lineEnd = block.find('\n', start);
      if (lineEnd == std::string::npos) lineEnd = block.size();
      const std::string line = block.substr(start, lineEnd - start);
      start = lineEnd + 1;
      if (line.empty()) continue;
      if (line[0] == ':') {
        comments_.push_back(line.substr(1));
        continue;
      }
      const std::size_t colon = line.find(':');
      const std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (field == "id") parsed.id = value, any = true;
      else if (field == "event") parsed.event = value, any = true;
      else if (field == "data") parsed.data += (parsed.data.empty() ? "" : "\n") + value, any = true;
      else if (field == "retry") parsed.retry = value, any = true;
    }
    if (any) {
      event = parsed;
      return true;
    }
  }
}

std::optional<StreamEvent> EventStreamClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  StreamEvent event;
  while (true) {
    decodeChunks();
    if (takeEvent(event)) return event;
    if (ended_ || !readMore(deadline)) {
      decodeChunks();
      if (takeEvent(event)) return event;
      return std::nullopt;
    }
  }
}

}  // namespace livedata::testing
