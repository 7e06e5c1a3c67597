#include "server/core/page_token.h"

#include <openssl/sha.h>

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/errors.h"

namespace perch::core {
namespace {

constexpr absl::string_view kVersion = "p1";
// "p1." + 16 hex digits + "." + position, base64 without padding.
constexpr size_t kMaxRawChars = 2 + 1 + 16 + 1 + kMaxPagePositionChars;
constexpr size_t kMaxTokenChars = (kMaxRawChars + 2) / 3 * 4;

absl::Status BadToken(absl::string_view why) {
  return MakeInvalidArgument({{"page_token", std::string(why)}});
}

}  // namespace

bool IsPagePosition(absl::string_view position) {
  if (position.empty() || position.size() > kMaxPagePositionChars) {
    return false;
  }
  for (char c : position) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '=' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

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
  if (token.size() > kMaxTokenChars ||
      !absl::WebSafeBase64Unescape(token, &raw)) {
    return BadToken("not a page token issued by perch");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, '.');
  if (parts.size() != 3 || parts[0] != kVersion || !IsPagePosition(parts[2])) {
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
