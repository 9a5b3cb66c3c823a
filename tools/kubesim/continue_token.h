#ifndef SLUICE_TOOLS_KUBESIM_CONTINUE_TOKEN_H_
#define SLUICE_TOOLS_KUBESIM_CONTINUE_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::kubesim {

// The LIST `continue` token, encoded like the etcd3 store's:
// base64url (no padding) of {"v":"meta.k8s.io/v1","rv":RV,"start":"KEY\u0000"}.
// rv -1 asks to continue at the latest RV (the token of a 410 inconsistent-continue).
struct ContinueToken {
  int64_t rv = 0;
  std::string start_key;  // first key to return
};

std::string EncodeContinueToken(const ContinueToken& token);
// nullopt when the token is malformed.
std::optional<ContinueToken> DecodeContinueToken(std::string_view text);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_CONTINUE_TOKEN_H_
