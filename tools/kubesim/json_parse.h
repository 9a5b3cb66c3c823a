#ifndef SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
#define SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_

// Include from .cc files only (pulls in RapidJSON).

#include <string>
#include <string_view>

#include "rapidjson/document.h"

namespace sluice::kubesim {

// A mutable, NUL-terminated copy of `text` for RapidJSON's in-situ parser
// (which rewrites strings in place).
inline std::string MutableCopy(std::string_view text) { return std::string(text); }

// Parses `text` into `doc`; false on a syntax error.
inline bool ParseJson(std::string_view text, rapidjson::Document* doc) {
  doc->Parse(text.data(), text.size());
  return !doc->HasParseError();
}

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
