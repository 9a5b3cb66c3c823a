#ifndef SLUICE_TOOLS_KUBESIM_PLAIN_HTTP_SERVER_H_
#define SLUICE_TOOLS_KUBESIM_PLAIN_HTTP_SERVER_H_

#include <httplib.h>

namespace sluice::kubesim {

// httplib::Server (plain HTTP) with a cheaper connection loop. httplib 0.11's
// own loop waits between keep-alive requests by polling every 10 ms and then
// sleeping 1 ms (two context switches per 11 ms per idle connection), and its
// socket stream polls before every read and every write. Here a connection
// blocks in one poll() until the next request (or the keep-alive timeout, or
// Stop), reads and writes try the socket first and poll only when it would
// block, and a response head announcing a body goes out in one send with the
// body's first bytes. Requests are parsed, routed and answered by httplib as
// before (Server::process_request); the bytes on the wire are the same.
class PlainHttpServer : public httplib::Server {
 public:
  PlainHttpServer();
  ~PlainHttpServer() override;

  int listen_fd() const { return static_cast<int>(svr_sock_); }
  // Call after stop(): wakes every connection waiting for its next request so
  // that it closes now rather than at the keep-alive timeout.
  void WakeIdleConnections();

 private:
  bool process_and_close_socket(socket_t sock) override;

  int stop_fd_ = -1;  // eventfd, readable once WakeIdleConnections ran
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_PLAIN_HTTP_SERVER_H_
