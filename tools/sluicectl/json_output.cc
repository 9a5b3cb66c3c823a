#include "tools/sluicectl/json_output.h"

#include "google/protobuf/util/json_util.h"

namespace sluice::ctl {

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a well-formed message cannot fail (no Any with unknown types).
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace sluice::ctl
