// bare-httplib-server: the floor mock-server's cached path is measured against. It serves one
// path with bytes read once from a file, with the headers mock-server sends for them, and
// answers a matching If-None-Match with 304: no routing table, middleware, cache lookup or
// logging. It is tuned as mock-server is (applyServerTuning in http_server_support.h): Nagle
// off, a fixed pool, long keep-alive, a deep listen backlog; anything less would measure
// httplib's defaults instead of our code.
//
//   bare-httplib-server --body FILE --path /api/campaigns [--etag E] [--cache-control C]
//                       [--content-type T] [--threads N] [--port P]
// Prints "listening on http://127.0.0.1:PORT" once it accepts connections; stops on SIGTERM.
#include <httplib.h>
#include <sys/socket.h>

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

namespace {

struct Options {
  std::string bodyFile;
  std::string path = "/api/campaigns";
  std::string etag;
  std::string cacheControl = "public, max-age=60, stale-while-revalidate=30";
  std::string contentType = "application/json; charset=utf-8";
  int threads = 16;  // mock-server's default pool
  int port = 0;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "bare-httplib-server: " << problem << "\n"
            << "usage: bare-httplib-server --body FILE [--path P] [--etag E] [--cache-control C]"
               " [--content-type T] [--threads N] [--port P]\n";
  std::exit(2);
}

int positiveInt(const std::string& flag, const std::string& text, int min) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size() && value >= min) return value;
  } catch (const std::exception&) {
  }
  usage(flag + ": expected an integer >= " + std::to_string(min) + ", got '" + text + "'");
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + ": missing value");
    const std::string value = argv[++i];
    if (flag == "--body") options.bodyFile = value;
    else if (flag == "--path") options.path = value;
    else if (flag == "--etag") options.etag = value;
    else if (flag == "--cache-control") options.cacheControl = value;
    else if (flag == "--content-type") options.contentType = value;
    else if (flag == "--threads") options.threads = positiveInt(flag, value, 1);
    else if (flag == "--port") options.port = positiveInt(flag, value, 0);
    else usage("unknown option " + flag);
  }
  if (options.bodyFile.empty()) usage("--body is required");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  std::ifstream file(options.bodyFile, std::ios::binary);
  if (!file) usage("--body: cannot read " + options.bodyFile);
  std::ostringstream contents;
  contents << file.rdbuf();
  const std::string body = contents.str();

  httplib::Server server;
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.Get(options.path, [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", options.cacheControl);
    if (!options.etag.empty()) {
      res.set_header("ETag", options.etag);
      if (req.get_header_value("If-None-Match") == options.etag) {
        res.status = 304;
        return;
      }
    }
    res.set_content(body, options.contentType.c_str());
  });

  // httplib 0.11 listens with a backlog of 5; listen again on the bound socket for a deep
  // one, as mock-server does, or a burst of wrk connections waits on SYN retransmissions.
  int listener = -1;
  server.set_socket_options([&listener](socket_t socket) {
    httplib::default_socket_options(socket);
    listener = socket;
  });
  const int port = options.port == 0 ? server.bind_to_any_port("127.0.0.1")
                                     : (server.bind_to_port("127.0.0.1", options.port) ? options.port : -1);
  if (port <= 0) {
    std::cerr << "bare-httplib-server: cannot bind 127.0.0.1:" << options.port << "\n";
    return 1;
  }
  if (listener >= 0) ::listen(listener, SOMAXCONN);

  // SIGTERM and SIGINT are taken by a thread with sigwait (blocked everywhere else, so
  // httplib's threads inherit the mask), which stops the server outside signal context.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::thread stopper([&server, stopSignals] {
    int received = 0;
    sigwait(&stopSignals, &received);
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server.stop();
  });
  std::thread announce([&server, port] {
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::cout << "listening on http://127.0.0.1:" << port << std::endl;
  });
  const bool ok = server.listen_after_bind();
  announce.join();
  // listen ended on its own (an error): wake the stopper so it can finish.
  if (!ok) pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return ok ? 0 : 1;
}
