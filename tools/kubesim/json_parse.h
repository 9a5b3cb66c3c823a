#ifndef SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
#define SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_

// Include from .cc files only (pulls in RapidJSON).

#include <string>
#include <string_view>

#include "rapidjson/document.h"

namespace sluice::kubesim {

// RapidJSON is built with RAPIDJSON_SSE42 (sluice_rapidjson): its scanners
// load aligned 16-byte blocks and may read up to 15 bytes past the end of
// the text. Harmless on real memory, but reported by sanitizers; the text is
// therefore parsed from a copy with that much slack.
inline std::string PaddedCopy(std::string_view text) {
  std::string copy;
  copy.reserve(text.size() + 16);
  copy.append(text);
  return copy;
}

// Parses `text` (a copy is made) into `doc`; false on a syntax error.
inline bool ParseJson(std::string_view text, rapidjson::Document* doc) {
  const std::string copy = PaddedCopy(text);
  doc->Parse(copy.data(), copy.size());
  return !doc->HasParseError();
}

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
