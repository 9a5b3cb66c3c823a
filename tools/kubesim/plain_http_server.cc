#include "tools/kubesim/plain_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::kubesim {
namespace {

int TimeoutMs(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// Waits until `fd` is ready for `events` or `timeout_ms` passed.
bool WaitFd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  while (true) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

std::string IpOf(const sockaddr_storage& a, int* port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &in.sin_addr, buf, sizeof(buf));
    *port = ntohs(in.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof(buf));
    *port = ntohs(in6.sin6_port);
  }
  return buf;
}

// A response head ("HTTP/1.1 200 OK\r\n...\r\n\r\n") whose Content-Length
// announces a body: httplib writes the body right after it.
bool IsHeadWithBody(std::string_view data) {
  if (data.size() < 16 || data.substr(0, 7) != "HTTP/1." ||
      data.substr(data.size() - 4) != "\r\n\r\n") {
    return false;
  }
  constexpr std::string_view kLength = "\r\nContent-Length: ";
  const size_t at = data.find(kLength);
  if (at == std::string_view::npos) return false;
  const char first = data[at + kLength.size()];
  return first >= '1' && first <= '9';
}

// One connection's socket, for the whole connection (httplib's SocketStream
// lives for one request). Reads are buffered; a read or write tries the
// socket first and polls only when it would block.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, int read_timeout_ms, int write_timeout_ms)
      : fd_(fd), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override { return pos_ < end_ || WaitFd(fd_, POLLIN, read_timeout_ms_); }
  bool is_writable() const override { return WaitFd(fd_, POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == end_) {
      if (!Flush()) return -1;
      if (size >= sizeof(buf_)) return Recv(ptr, size);
      const ssize_t n = Recv(buf_, sizeof(buf_));
      if (n <= 0) return n;
      pos_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, end_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!held_.empty()) {
      // The held head and the start of its body in one send.
      iovec iov[2] = {{held_.data(), held_.size()}, {const_cast<char*>(ptr), size}};
      const bool ok = SendAll(iov, 2);
      held_.clear();
      return ok ? static_cast<ssize_t>(size) : -1;
    }
    if (IsHeadWithBody(std::string_view(ptr, size))) {
      held_.assign(ptr, size);
      return static_cast<ssize_t>(size);
    }
    return Send(ptr, size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (remote_port_ < 0) {
      sockaddr_storage a{};
      socklen_t len = sizeof(a);
      if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        remote_ip_ = IpOf(a, &remote_port_);
      }
    }
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (local_port_ < 0) {
      sockaddr_storage a{};
      socklen_t len = sizeof(a);
      if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        local_ip_ = IpOf(a, &local_port_);
      }
    }
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

  // Sends a held response head. False when the connection failed.
  bool Flush() {
    if (held_.empty()) return true;
    iovec iov{held_.data(), held_.size()};
    const bool ok = SendAll(&iov, 1);
    held_.clear();
    return ok;
  }

  // Waits for the next request: true when bytes (or the peer's close) are
  // there, false after `timeout_ms` or once `stop_fd` is readable.
  bool WaitForRequest(int timeout_ms, int stop_fd) {
    if (!Flush()) return false;
    if (pos_ < end_) return true;
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const int n =
          ::poll(p, stop_fd >= 0 ? 2 : 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || p[1].revents != 0) return false;
      return true;
    }
  }

 private:
  ssize_t Recv(char* ptr, size_t size) {
    while (true) {
      const ssize_t n = ::recv(fd_, ptr, size, MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitFd(fd_, POLLIN, read_timeout_ms_)) return -1;
    }
  }

  ssize_t Send(const char* ptr, size_t size) {
    while (true) {
      const ssize_t n = ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitFd(fd_, POLLOUT, write_timeout_ms_)) return -1;
    }
  }

  // Sends every byte of `iov` (modified as it goes).
  bool SendAll(iovec* iov, size_t count) {
    while (count > 0) {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = count;
      const ssize_t n = ::sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
        if (!WaitFd(fd_, POLLOUT, write_timeout_ms_)) return false;
        continue;
      }
      size_t sent = static_cast<size_t>(n);
      while (count > 0 && sent >= iov->iov_len) {
        sent -= iov->iov_len;
        ++iov;
        --count;
      }
      if (count > 0) {
        iov->iov_base = static_cast<char*>(iov->iov_base) + sent;
        iov->iov_len -= sent;
      }
    }
    return true;
  }

  const int fd_;
  const int read_timeout_ms_;
  const int write_timeout_ms_;
  char buf_[16384];
  size_t pos_ = 0;
  size_t end_ = 0;
  std::string held_;  // a response head waiting for its body
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = -1, local_port_ = -1;
};

}  // namespace

PlainHttpServer::PlainHttpServer() : stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

PlainHttpServer::~PlainHttpServer() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void PlainHttpServer::WakeIdleConnections() {
  if (stop_fd_ < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof(one));
}

bool PlainHttpServer::process_and_close_socket(socket_t sock) {
  ConnectionStream strm(sock, TimeoutMs(read_timeout_sec_, read_timeout_usec_),
                        TimeoutMs(write_timeout_sec_, write_timeout_usec_));
  const int keep_alive_ms = TimeoutMs(keep_alive_timeout_sec_, 0);
  bool ret = false;
  size_t count = keep_alive_max_count_;
  while (svr_sock_ != INVALID_SOCKET && count > 0 && strm.WaitForRequest(keep_alive_ms, stop_fd_)) {
    const bool close_connection = count == 1;
    bool connection_closed = false;
    ret = process_request(strm, close_connection, connection_closed, nullptr);
    if (!ret || connection_closed) break;
    --count;
  }
  strm.Flush();
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace sluice::kubesim
