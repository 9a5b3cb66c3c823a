// kubesim_load: a load generator for kubesim (or any kube-apiserver): creates
// pods as fast as the server accepts over many keep-alive connections (one
// libcurl multi handle, one thread) while an optional watcher follows
// /api/v1/pods?watch=1, and reports creates/s, latency percentiles, status
// codes and watch delivery (events/s, lag behind the last create).
//
//   build/bin/kubesim_load --kubesim build/bin/kubesim --total 100000 --connections 64 --watch
//   build/bin/kubesim_load --url http://127.0.0.1:PORT --total 50000

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/pod_body.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A child kubesim process, killed (by pid) at destruction.
class SpawnedServer {
 public:
  bool Start(const std::string& binary, const std::string& extra_args, std::string* url) {
    int out[2];
    if (pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::string cmd = "exec " + binary + " --listen 127.0.0.1:0 " + extra_args;
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512];
    if (f == nullptr || fgets(line, sizeof(line), f) == nullptr) return false;
    std::string s(line);
    const std::string prefix = "kubesim listening on ";
    if (s.rfind(prefix, 0) != 0) return false;
    *url = s.substr(prefix.size());
    while (!url->empty() && (url->back() == '\n' || url->back() == '\r')) url->pop_back();
    return true;
  }
  // CPU seconds (user + system) the server has used so far; -1 if unknown.
  double CpuSeconds() const {
    if (pid_ <= 0) return -1;
    FILE* f = fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (f == nullptr) return -1;
    char buf[2048];
    const size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    // Fields after the ")" that ends the command name: state is field 3,
    // utime and stime are fields 14 and 15.
    const char* p = strrchr(buf, ')');
    if (p == nullptr) return -1;
    unsigned long long utime = 0, stime = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
        2) {
      return -1;
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  ~SpawnedServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// Counts watch events as they stream in.
struct WatchCounter {
  std::atomic<int64_t> events{0};
  std::atomic<int64_t> added{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<bool> stop{false};
  std::string carry;
  std::atomic<int64_t> last_event_ns{0};  // steady clock

  static size_t OnData(char* data, size_t size, size_t n, void* self_ptr) {
    auto* self = static_cast<WatchCounter*>(self_ptr);
    const size_t len = size * n;
    self->bytes += static_cast<int64_t>(len);
    self->carry.append(data, len);
    size_t start = 0;
    while (true) {
      const size_t nl = self->carry.find('\n', start);
      if (nl == std::string::npos) break;
      ++self->events;
      if (self->carry.compare(start, 16, "{\"type\":\"ADDED\",") == 0) ++self->added;
      start = nl + 1;
    }
    self->carry.erase(0, start);
    self->last_event_ns = Clock::now().time_since_epoch().count();
    return self->stop.load() ? 0 : len;  // returning less than len aborts the transfer
  }
};

struct Options {
  std::string url;
  std::string kubesim;
  std::string kubesim_args = "--run-ms 0 --no-kubelet";
  std::string ns = "load";
  std::string token;
  int connections = 64;
  int64_t total = 50000;
  bool watch = false;
  int events_per_pod = 1;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"kubesim_load: pod-create throughput against kubesim or a kube-apiserver"};
  app.add_option("--url", opt.url, "server URL (or --kubesim to spawn one)");
  app.add_option("--kubesim", opt.kubesim, "kubesim binary to spawn on 127.0.0.1:0");
  app.add_option("--kubesim-args", opt.kubesim_args, "extra kubesim flags")->capture_default_str();
  app.add_option("--namespace", opt.ns, "namespace of the pods")->capture_default_str();
  app.add_option("--token", opt.token, "bearer token");
  app.add_option("--connections", opt.connections, "keep-alive connections")->capture_default_str();
  app.add_option("--total", opt.total, "pods to create")->capture_default_str();
  app.add_flag("--watch", opt.watch, "also watch /api/v1/pods and report delivery");
  app.add_option("--events-per-pod", opt.events_per_pod,
                 "watch events to wait for per created pod (4 with kubesim's kubelet: ADDED, "
                 "scheduled, running, finished)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  SpawnedServer server;
  if (!opt.kubesim.empty()) {
    if (!server.Start(opt.kubesim, opt.kubesim_args, &opt.url)) {
      std::fprintf(stderr, "cannot start %s\n", opt.kubesim.c_str());
      return 1;
    }
  }
  if (opt.url.empty()) {
    std::fprintf(stderr, "--url or --kubesim is required\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_ALL);
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  if (!opt.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + opt.token).c_str());
  }

  // Watcher thread.
  WatchCounter watch;
  std::thread watcher;
  if (opt.watch) {
    watcher = std::thread([&] {
      CURL* e = curl_easy_init();
      const std::string url = opt.url + "/api/v1/pods?watch=1&allowWatchBookmarks=true";
      curl_easy_setopt(e, CURLOPT_URL, url.c_str());
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WatchCounter::OnData);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &watch);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_perform(e);
      curl_easy_cleanup(e);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  const std::string create_url = opt.url + "/api/v1/namespaces/" + opt.ns + "/pods";
  struct Slot {
    CURL* easy;
    std::string body;
    Clock::time_point sent;
  };
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(opt.connections));
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(opt.connections));
  std::vector<Slot> slots(static_cast<size_t>(opt.connections));
  int64_t next = 0, done = 0;
  std::map<long, int64_t> codes;
  int64_t transport_errors = 0;
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<size_t>(opt.total));

  auto launch = [&](Slot& slot) {
    const std::string name = "load-" + std::to_string(next);
    slot.body = sluice::bench::ArgoStylePodBody(opt.ns, name, static_cast<int>(next));
    ++next;
    curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDS, slot.body.c_str());
    curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(slot.body.size()));
    slot.sent = Clock::now();
    curl_multi_add_handle(multi, slot.easy);
  };
  for (Slot& slot : slots) {
    slot.easy = curl_easy_init();
    curl_easy_setopt(slot.easy, CURLOPT_URL, create_url.c_str());
    curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(slot.easy, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(slot.easy, CURLOPT_PRIVATE, &slot);
    curl_easy_setopt(slot.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(slot.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(slot.easy, CURLOPT_TCP_NODELAY, 1L);
  }
  const double cpu_before = server.CpuSeconds();
  const Clock::time_point start = Clock::now();
  for (Slot& slot : slots) {
    if (next < opt.total) launch(slot);
  }
  while (done < opt.total) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
      if (msg->data.result != CURLE_OK) {
        ++transport_errors;
      } else {
        long code = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        ++codes[code];
      }
      latencies_us.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - slot->sent).count());
      curl_multi_remove_handle(multi, msg->easy_handle);
      ++done;
      if (next < opt.total) launch(*slot);
    }
    if (done < opt.total) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  const double elapsed = Seconds(Clock::now() - start);

  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double p) {
    if (latencies_us.empty()) return 0.0;
    return latencies_us[static_cast<size_t>(p * static_cast<double>(latencies_us.size() - 1))];
  };
  std::printf("creates: %lld in %.3f s = %.0f creates/s over %d connections\n",
              static_cast<long long>(opt.total), elapsed, static_cast<double>(opt.total) / elapsed,
              opt.connections);
  std::printf("latency: p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us\n", pct(0.5), pct(0.9),
              pct(0.99), pct(1.0));
  if (cpu_before >= 0) {
    // Robust on a shared machine: what one core of server CPU would sustain.
    const double cpu = server.CpuSeconds() - cpu_before;
    std::printf("server cpu: %.3f s for %lld creates = %.1f us/create, %.0f creates/s per core\n",
                cpu, static_cast<long long>(opt.total), cpu * 1e6 / static_cast<double>(opt.total),
                static_cast<double>(opt.total) / cpu);
  }
  std::printf("codes:");
  for (const auto& [code, n] : codes) std::printf(" %ld=%lld", code, static_cast<long long>(n));
  std::printf(" transport_errors=%lld\n", static_cast<long long>(transport_errors));

  if (opt.watch) {
    const int64_t created = codes.count(201) ? codes[201] : 0;
    const Clock::time_point wait_until = Clock::now() + std::chrono::seconds(60);
    while ((watch.added.load() < created || watch.events.load() < created * opt.events_per_pod) &&
           Clock::now() < wait_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double watch_elapsed =
        Seconds(Clock::time_point(Clock::duration(watch.last_event_ns.load())) - start);
    std::printf(
        "watch: %lld events (%lld ADDED of %lld created), %.1f MB, last one %.3f s after "
        "start = %.0f events/s, %.3f s after the last create\n",
        static_cast<long long>(watch.events.load()), static_cast<long long>(watch.added.load()),
        static_cast<long long>(created), static_cast<double>(watch.bytes.load()) / 1e6,
        watch_elapsed, static_cast<double>(watch.events.load()) / watch_elapsed,
        watch_elapsed - elapsed);
    if (cpu_before >= 0) {
      const double cpu = server.CpuSeconds() - cpu_before;
      std::printf("server cpu incl. watch delivery%s: %.1f us/pod, %.0f pods/s per core\n",
                  opt.events_per_pod > 1 ? " and kubelet" : "",
                  cpu * 1e6 / static_cast<double>(opt.total), static_cast<double>(opt.total) / cpu);
    }
    watch.stop = true;
  }
  for (Slot& slot : slots) curl_easy_cleanup(slot.easy);
  curl_multi_cleanup(multi);
  if (watcher.joinable()) {
    // The watcher aborts at its next chunk; make sure one arrives.
    CURL* e = curl_easy_init();
    const std::string url = opt.url + "/api/v1/namespaces/" + opt.ns + "/pods";
    const std::string body = sluice::bench::ArgoStylePodBody(opt.ns, "load-wakeup", 0);
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
    watcher.join();
  }
  curl_slist_free_all(headers);
  return transport_errors == 0 ? 0 : 1;
}
