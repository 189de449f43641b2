#pragma once
// What every handler of forum-service shares: the mapping of storage's structs to protos,
// the names of enums in the database, page tokens, validation of bodies and tags, and the
// common answers.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "domain/posting.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"
#include "service.h"
#include "storage/store.h"

namespace healthtech::forum {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using storage::Tx;
using json = nlohmann::json;

inline constexpr int kMaxTitle = 200, kMinTitle = 5, kMaxBody = 20000, kMaxTags = 5, kMaxTag = 30;
inline constexpr int kMaxReason = 500, kMaxDepth = 10, kMaxWatchedWords = 500;
inline constexpr int kMaxSuspensionSeconds = 365 * 86400;

inline v1::PostStatus StatusOf(const std::string& s) {
  if (s == "visible") return v1::POST_STATUS_VISIBLE;
  if (s == "hidden") return v1::POST_STATUS_HIDDEN;
  if (s == "deleted") return v1::POST_STATUS_DELETED;
  if (s == "pending_review") return v1::POST_STATUS_PENDING_REVIEW;
  return v1::POST_STATUS_UNSPECIFIED;
}

inline std::string WhoCanPostName(v1::WhoCanPost w) {
  switch (w) {
    case v1::WHO_CAN_POST_VERIFIED_PRACTITIONERS:
      return "verified_practitioners";
    case v1::WHO_CAN_POST_MODERATORS:
      return "moderators";
    default:
      return "everyone";
  }
}
inline v1::WhoCanPost WhoCanPostOf(const std::string& s) {
  if (s == "verified_practitioners") return v1::WHO_CAN_POST_VERIFIED_PRACTITIONERS;
  if (s == "moderators") return v1::WHO_CAN_POST_MODERATORS;
  return v1::WHO_CAN_POST_EVERYONE;
}

inline std::string FlagReasonName(v1::FlagReason r) {
  switch (r) {
    case v1::FLAG_REASON_SPAM:
      return "spam";
    case v1::FLAG_REASON_ABUSE:
      return "abuse";
    case v1::FLAG_REASON_MISINFORMATION:
      return "misinformation";
    case v1::FLAG_REASON_PRIVACY:
      return "privacy";
    case v1::FLAG_REASON_OFF_TOPIC:
      return "off_topic";
    case v1::FLAG_REASON_OTHER:
      return "other";
    default:
      return "";
  }
}
inline v1::FlagReason FlagReasonOf(const std::string& s) {
  for (int i = 1; i <= 6; ++i) {
    if (FlagReasonName(static_cast<v1::FlagReason>(i)) == s) return static_cast<v1::FlagReason>(i);
  }
  return v1::FLAG_REASON_UNSPECIFIED;
}

inline v1::QueueReason QueueReasonOf(const std::string& s) {
  if (s == "flagged") return v1::QUEUE_REASON_FLAGGED;
  if (s == "first_post") return v1::QUEUE_REASON_FIRST_POST;
  if (s == "watched_word") return v1::QUEUE_REASON_WATCHED_WORD;
  return v1::QUEUE_REASON_UNSPECIFIED;
}

// Page tokens (paging/page_token.h): an offset for ranked and sorted lists, a post sequence
// number for keyset lists; each bound to its list by `kind`.
inline absl::StatusOr<int> OffsetFromToken(const paging::PageTokens& tokens, std::string_view kind,
                                           const std::string& token) {
  if (token.empty()) return 0;
  auto pos = tokens.Decode(kind, token, 1);
  if (!pos.ok()) return pos.status();
  auto n = paging::Int64Field((*pos)[0]);
  if (!n.ok() || *n < 0 || *n > 10000000) return paging::InvalidPageToken();
  return static_cast<int>(*n);
}
inline std::string OffsetToken(const paging::PageTokens& tokens, std::string_view kind,
                               int offset) {
  return tokens.Encode(kind, {std::to_string(offset)});
}

inline absl::StatusOr<int64_t> SeqFromToken(const paging::PageTokens& tokens, std::string_view kind,
                                            const std::string& token) {
  if (token.empty()) return 0;
  auto pos = tokens.Decode(kind, token, 1);
  if (!pos.ok()) return pos.status();
  auto n = paging::Int64Field((*pos)[0]);
  if (!n.ok() || *n < 0) return paging::InvalidPageToken();
  return *n;
}
inline std::string SeqToken(const paging::PageTokens& tokens, std::string_view kind, int64_t seq) {
  return tokens.Encode(kind, {std::to_string(seq)});
}

using paging::Limit;

inline absl::Status CheckBody(const std::string& body, const std::string& field,
                              std::vector<st::Violation>* v) {
  size_t n = validate::CodePoints(validate::Trim(body));
  if (n == 0) {
    v->push_back({field, "is required"});
  } else if (validate::CodePoints(body) > kMaxBody) {
    v->push_back({field, "must be at most 20000 characters"});
  }
  return absl::OkStatus();
}

inline absl::StatusOr<std::string> RequireReason(const std::string& reason) {
  std::string r = validate::Trim(reason);
  if (r.empty()) return st::ValidationFailed({{"reason", "is required"}});
  if (validate::CodePoints(r) > kMaxReason) {
    return st::ValidationFailed({{"reason", "must be at most 500 characters"}});
  }
  return r;
}

inline absl::Status NotModerator() {
  return st::PermissionDenied("FORBIDDEN", "Only moderators may do this.");
}
inline absl::Status ThreadNotFound() { return st::NotFound("THREAD_NOT_FOUND", "No such thread."); }
inline absl::Status PostNotFound() { return st::NotFound("POST_NOT_FOUND", "No such post."); }
inline absl::Status PrivateNotFound() {
  return st::NotFound("PRIVATE_THREAD_NOT_FOUND", "No such private thread.");
}

// Normalized tags: lower case, [a-z0-9-], deduplicated, in the order given.
inline std::vector<std::string> NormalizeTags(
    const google::protobuf::RepeatedPtrField<std::string>& in, std::vector<st::Violation>* v) {
  std::vector<std::string> out;
  for (const auto& raw : in) {
    std::string t = validate::Trim(raw);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = !t.empty() && t.size() <= kMaxTag && std::all_of(t.begin(), t.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!ok) {
      v->push_back({"tags", "each tag: 1-30 characters of a-z, 0-9 and '-'"});
      return {};
    }
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  if (out.size() > kMaxTags) v->push_back({"tags", "at most 5 tags"});
  return out;
}

inline std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Mapping (handlers/mapping.cc). A post's body shows when it is visible or pending, and a
// hidden one to moderators.
void ToProto(const storage::Post& r, bool moderator, Trust author, v1::Post* p);
void ToProto(const storage::Thread& r, v1::Thread* t);
void ToProto(const storage::Category& r, v1::Category* c);
void ToProto(const storage::PrivateThread& r, v1::PrivateThread* t);
void ToProto(const storage::PrivatePost& r, v1::PrivatePost* p);

}  // namespace healthtech::forum
