#ifndef SLUICE_TOOLS_KUBESIM_IDS_H_
#define SLUICE_TOOLS_KUBESIM_IDS_H_

#include <string>

namespace sluice::kubesim {

// A random RFC 4122 version 4 UUID in lower-case hex ("8-4-4-4-12"), as
// kube-apiserver assigns to metadata.uid. Thread-safe.
std::string NewUid();

// The 5-character suffix kube-apiserver appends to metadata.generateName
// (alphabet "bcdfghjklmnpqrstvwxz2456789"). Thread-safe.
std::string RandomNameSuffix();

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_IDS_H_
