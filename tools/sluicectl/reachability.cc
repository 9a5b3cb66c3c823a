#include "tools/sluicectl/reachability.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sluice::ctl {
namespace {

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string ErrnoText(int error) { return std::strerror(error); }

Reachability Failed(std::string problem, bool address_suspect = true) {
  return Reachability{false, std::move(problem), address_suspect};
}

Reachability ProbeUnix(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT) return Failed(absl::StrCat("the socket file ", path, " does not exist"));
    return Failed(absl::StrCat("cannot look at the socket file ", path, ": ", ErrnoText(error)));
  }
  if (!S_ISSOCK(info.st_mode)) {
    return Failed(absl::StrCat(path, " exists but is not a socket"));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return Failed(absl::StrCat("the socket path ", path, " is longer than ",
                               sizeof(addr.sun_path) - 1, " bytes"));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  ScopedFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Failed(absl::StrCat("socket(): ", ErrnoText(errno)));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
    return Reachability{true, "", false};
  }
  const int error = errno;
  if (error == ECONNREFUSED) {
    return Failed(absl::StrCat("the socket file ", path,
                               " exists but nothing accepts connections on it (connection "
                               "refused): sluiced may have stopped and left it behind"));
  }
  if (error == EACCES || error == EPERM) {
    return Failed(absl::StrCat("permission denied on ", path,
                               " (sluiced creates its socket with mode 0600: run sluicectl as "
                               "the daemon's user)"),
                  /*address_suspect=*/false);
  }
  return Failed(absl::StrCat("cannot connect to ", path, ": ", ErrnoText(error)));
}

// Connects without blocking longer than `timeout`; 0 or an errno value.
int ConnectWithin(int fd, const addrinfo& ai, absl::Duration timeout) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  pollfd p{fd, POLLOUT, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready == 0) return ETIMEDOUT;
  if (ready < 0) return errno;
  int error = 0;
  socklen_t len = sizeof(error);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
  return error;
}

Reachability ProbeTcp(const std::string& host, int port, absl::Duration timeout) {
  const std::string where = absl::StrCat(host, ":", port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Failed(absl::StrCat("cannot resolve ", host, ": ", ::gai_strerror(rc)));
  }
  int last_error = 0;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    ScopedFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (fd.get() < 0) {
      last_error = errno;
      continue;
    }
    last_error = ConnectWithin(fd.get(), *ai, timeout);
    if (last_error == 0) break;
  }
  ::freeaddrinfo(found);
  if (last_error == 0) return Reachability{true, "", false};
  if (last_error == ECONNREFUSED) {
    return Failed(absl::StrCat("connection refused: nothing listens on ", where));
  }
  if (last_error == ETIMEDOUT) {
    return Failed(absl::StrCat("no answer from ", where, " within ", absl::FormatDuration(timeout),
                               " (a firewall, or a wrong host?)"));
  }
  return Failed(absl::StrCat("cannot connect to ", where, ": ", ErrnoText(last_error)));
}

}  // namespace

Reachability Probe(const DaemonAddress& address, absl::Duration timeout) {
  if (address.is_unix()) return ProbeUnix(address.socket_path);
  return ProbeTcp(address.host, address.port, timeout);
}

}  // namespace sluice::ctl
