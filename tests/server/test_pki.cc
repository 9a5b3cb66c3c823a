#include "tests/server/test_pki.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sluice::testing {
namespace {

absl::Status Run(const std::string& dir, const std::string& command) {
  const std::string line = absl::StrCat("cd '", dir, "' && ", command, " >openssl.log 2>&1");
  if (std::system(line.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command, " (see ", dir, "/openssl.log)"));
  }
  return absl::OkStatus();
}

constexpr char kNewKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

// A key and a certificate `name`.crt for `subject`, signed by `ca`.
absl::Status Issue(const std::string& dir, const std::string& ca, const std::string& name,
                   const std::string& subject, const std::string& extensions) {
  std::ofstream(absl::StrCat(dir, "/", name, ".ext")) << extensions;
  if (absl::Status s = Run(dir, absl::StrCat("openssl req ", kNewKey, " -keyout ", name,
                                             ".key -out ", name, ".csr -subj /CN=", subject));
      !s.ok()) {
    return s;
  }
  return Run(dir, absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca, ".crt -CAkey ", ca,
                               ".key -CAcreateserial -out ", name, ".crt -days 2 -extfile ", name,
                               ".ext"));
}

}  // namespace

absl::StatusOr<TestPki> TestPki::Make() {
  std::string tmpl = "/tmp/sluice-pki-XXXXXX";
  std::vector<char> buffer(tmpl.begin(), tmpl.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  TestPki pki;
  pki.dir = buffer.data();
  for (const char* ca : {"ca", "stranger-ca"}) {
    if (absl::Status s =
            Run(pki.dir, absl::StrCat("openssl req -x509 ", kNewKey, " -keyout ", ca, ".key -out ",
                                      ca, ".crt -days 2 -subj /CN=", ca));
        !s.ok()) {
      return s;
    }
  }
  const std::string server_ext =
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
  const std::string client_ext = "extendedKeyUsage=clientAuth\n";
  for (const auto& [ca, name, subject, ext] :
       {std::tuple{"ca", "server", "localhost", server_ext},
        std::tuple{"ca", "client", "workflow-controller", client_ext},
        std::tuple{"stranger-ca", "stranger", "workflow-controller", client_ext}}) {
    if (absl::Status s = Issue(pki.dir, ca, name, subject, ext); !s.ok()) return s;
  }
  const auto path = [&pki](const char* file) { return absl::StrCat(pki.dir, "/", file); };
  pki.ca_cert = path("ca.crt");
  pki.server_cert = path("server.crt");
  pki.server_key = path("server.key");
  pki.client_cert = path("client.crt");
  pki.client_key = path("client.key");
  pki.stranger_cert = path("stranger.crt");
  pki.stranger_key = path("stranger.key");
  return pki;
}

void TestPki::Remove() const {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::string TestPki::Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sluice::testing
