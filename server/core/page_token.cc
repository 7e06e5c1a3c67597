#include "server/core/page_token.h"

#include <openssl/sha.h>

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/errors.h"

namespace perch::core {
namespace {

constexpr absl::string_view kVersion = "p1";

absl::Status BadToken(absl::string_view why) {
  return MakeInvalidArgument({{"page_token", std::string(why)}});
}

// A decimal that fits in uint64, as every max_id and cursor does.
bool IsDecimal(absl::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  uint64_t value;
  return absl::SimpleAtoi(s, &value);
}

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* descriptor = copy->GetDescriptor();
  const auto* reflection = copy->GetReflection();
  for (const char* name : {"page_token", "page_size"}) {
    if (const auto* field = descriptor->FindFieldByName(name)) {
      reflection->ClearField(copy.get(), field);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

std::string EncodePageToken(absl::string_view fingerprint,
                            absl::string_view position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kVersion, ".", fingerprint, ".", position));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint) {
  std::string raw;
  if (token.size() > 256 || !absl::WebSafeBase64Unescape(token, &raw)) {
    return BadToken("not a page token issued by perch");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, '.');
  if (parts.size() != 3 || parts[0] != kVersion || !IsDecimal(parts[2])) {
    return BadToken("not a page token issued by perch");
  }
  if (parts[1] != fingerprint) {
    return BadToken(
        "the token belongs to a request with other parameters; repeat the "
        "original request's fields (page_size may change)");
  }
  return parts[2];
}

}  // namespace perch::core
