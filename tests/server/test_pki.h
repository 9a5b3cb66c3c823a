#ifndef SLUICE_TESTS_SERVER_TEST_PKI_H_
#define SLUICE_TESTS_SERVER_TEST_PKI_H_

#include <string>

#include "absl/status/statusor.h"

namespace sluice::testing {

// A throw-away PKI made with the openssl command line at test time, in its
// own temporary directory: a CA, a server certificate for 127.0.0.1 and
// localhost signed by it, a client certificate signed by it, and a client
// certificate signed by another CA (a stranger). EC P-256 keys, valid two days.
struct TestPki {
  std::string dir;
  std::string ca_cert;  // PEM file paths
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string stranger_cert;
  std::string stranger_key;

  // Writes every file; an error names the openssl command that failed.
  static absl::StatusOr<TestPki> Make();
  // Deletes the directory.
  void Remove() const;
  // The contents of one of the files above.
  static std::string Read(const std::string& path);
};

}  // namespace sluice::testing

#endif  // SLUICE_TESTS_SERVER_TEST_PKI_H_
