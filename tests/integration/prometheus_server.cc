#include "tests/integration/prometheus_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/common/percent_encoding.h"
#include "simdjson.h"

namespace perch::testing {
namespace {

// A port the kernel has just found free on loopback. Prometheus takes a
// fixed --web.listen-address, so there is a short window in which another
// process could take it; Start retries with a new one if so.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

std::string FindPrometheus() {
  if (const char* given = std::getenv("PROMETHEUS_BINARY")) {
    return access(given, X_OK) == 0 ? given : "";
  }
  const char* path = std::getenv("PATH");
  std::vector<std::string> dirs =
      absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':');
  dirs.push_back("/usr/bin");
  for (const std::string& dir : dirs) {
    const std::string candidate = absl::StrCat(dir, "/prometheus");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::optional<HttpAnswer> LoopbackGet(int port, const std::string& path,
                                      absl::Duration timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  std::string response;
  bool sent = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    sent = write(fd, request.data(), request.size()) ==
           static_cast<ssize_t>(request.size());
    char buffer[8192];
    for (ssize_t n; sent && (n = read(fd, buffer, sizeof(buffer))) > 0;) {
      response.append(buffer, n);
    }
  }
  close(fd);
  const size_t blank = response.find("\r\n\r\n");
  HttpAnswer answer;
  // "HTTP/1.x NNN ..."
  if (!sent || blank == std::string::npos || response.size() < 12 ||
      !absl::SimpleAtoi(response.substr(9, 3), &answer.status)) {
    return std::nullopt;
  }
  answer.body = response.substr(blank + 4);
  return answer;
}

std::unique_ptr<PrometheusServer> PrometheusServer::Start(
    int target_port, absl::Duration timeout) {
  const std::string binary = FindPrometheus();
  if (binary.empty()) {
    ADD_FAILURE() << kPrometheusMissing;
    return nullptr;
  }
  const absl::Time end = absl::Now() + timeout;
  for (int attempt = 0; attempt < 3 && absl::Now() < end; ++attempt) {
    std::unique_ptr<PrometheusServer> server(new PrometheusServer());
    server->dir_.Write("prometheus.yml",
                       absl::StrCat("global:\n"
                                    "  scrape_interval: 1s\n"
                                    "  scrape_timeout: 1s\n"
                                    "scrape_configs:\n"
                                    "  - job_name: perch\n"
                                    "    static_configs:\n"
                                    "      - targets: ['127.0.0.1:",
                                    target_port, "']\n"));
    server->port_ = FreeLoopbackPort();
    absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Spawn(
        {.argv = {binary,
                  absl::StrCat("--config.file=",
                               server->dir_.File("prometheus.yml")),
                  absl::StrCat("--storage.tsdb.path=",
                               server->dir_.File("data")),
                  absl::StrCat("--web.listen-address=127.0.0.1:",
                               server->port_),
                  "--log.level=warn"},
         .inherit_env = false,
         .stop_grace = absl::ZeroDuration()});
    if (!process.ok()) {
      ADD_FAILURE() << process.status();
      return nullptr;
    }
    server->process_ = *std::move(process);
    // Ready: its HTTP API answers /-/ready with 200.
    while (absl::Now() < end &&
           !server->process_->Wait(absl::ZeroDuration()).ok()) {
      std::optional<HttpAnswer> ready =
          LoopbackGet(server->port_, "/-/ready", absl::Seconds(2));
      if (ready.has_value() && ready->status == 200) return server;
      absl::SleepFor(absl::Milliseconds(100));
    }
    if (!server->process_->Wait(absl::ZeroDuration()).ok()) {
      ADD_FAILURE() << "prometheus was not ready within the timeout:\n"
                    << server->Output();
      return nullptr;
    }
    // It exited: most likely the port was taken meanwhile. Try another.
    std::cerr << "prometheus exited at start; retrying:\n" << server->Output();
  }
  ADD_FAILURE() << "prometheus did not start";
  return nullptr;
}

std::optional<double> PrometheusServer::Query(const std::string& promql) {
  std::optional<HttpAnswer> answer = LoopbackGet(
      port_, absl::StrCat("/api/v1/query?query=", PercentEncode(promql)));
  if (!answer.has_value() || answer->status != 200) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(answer->body).get(doc) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::string_view status;
  simdjson::dom::array results;
  if (doc["status"].get(status) != simdjson::SUCCESS || status != "success" ||
      doc["data"]["result"].get(results) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  double sum = 0;
  for (simdjson::dom::element result : results) {
    // "value": [<unix time>, "<value>"]
    std::string_view text;
    double value = 0;
    if (result["value"].at(1).get(text) != simdjson::SUCCESS ||
        !absl::SimpleAtod(absl::string_view(text.data(), text.size()),
                          &value)) {
      return std::nullopt;
    }
    sum += value;
  }
  return sum;
}

bool PrometheusServer::WaitForScrapeAfter(absl::Time after,
                                          absl::Duration timeout) {
  const double after_seconds = absl::ToDoubleSeconds(after - absl::UnixEpoch());
  return Eventually(
      [&] {
        // The timestamp of the last sample of a series perch always
        // exports: when the last successful scrape began.
        std::optional<double> last =
            Query("max(timestamp(perch_build_info{job=\"perch\"}))");
        return last.has_value() && *last > after_seconds;
      },
      timeout);
}

}  // namespace perch::testing
