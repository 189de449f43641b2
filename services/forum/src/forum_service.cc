#include "forum_service.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/text_array.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"

namespace healthtech::forum {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using pqxx::transaction_base;
using json = nlohmann::json;

constexpr int kMaxTitle = 200, kMinTitle = 5, kMaxBody = 20000, kMaxTags = 5, kMaxTag = 30;
constexpr int kMaxReason = 500, kMaxDepth = 10, kMaxWatchedWords = 500;
constexpr int kMaxSuspensionSeconds = 365 * 86400;

v1::PostStatus StatusOf(const std::string& s) {
  if (s == "visible") return v1::POST_STATUS_VISIBLE;
  if (s == "hidden") return v1::POST_STATUS_HIDDEN;
  if (s == "deleted") return v1::POST_STATUS_DELETED;
  if (s == "pending_review") return v1::POST_STATUS_PENDING_REVIEW;
  return v1::POST_STATUS_UNSPECIFIED;
}

std::string WhoCanPostName(v1::WhoCanPost w) {
  switch (w) {
    case v1::WHO_CAN_POST_VERIFIED_PRACTITIONERS:
      return "verified_practitioners";
    case v1::WHO_CAN_POST_MODERATORS:
      return "moderators";
    default:
      return "everyone";
  }
}
v1::WhoCanPost WhoCanPostOf(const std::string& s) {
  if (s == "verified_practitioners") return v1::WHO_CAN_POST_VERIFIED_PRACTITIONERS;
  if (s == "moderators") return v1::WHO_CAN_POST_MODERATORS;
  return v1::WHO_CAN_POST_EVERYONE;
}

std::string FlagReasonName(v1::FlagReason r) {
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
v1::FlagReason FlagReasonOf(const std::string& s) {
  for (int i = 1; i <= 6; ++i) {
    if (FlagReasonName(static_cast<v1::FlagReason>(i)) == s) return static_cast<v1::FlagReason>(i);
  }
  return v1::FLAG_REASON_UNSPECIFIED;
}

v1::QueueReason QueueReasonOf(const std::string& s) {
  if (s == "flagged") return v1::QUEUE_REASON_FLAGGED;
  if (s == "first_post") return v1::QUEUE_REASON_FIRST_POST;
  if (s == "watched_word") return v1::QUEUE_REASON_WATCHED_WORD;
  return v1::QUEUE_REASON_UNSPECIFIED;
}

std::string Slugify(const std::string& name) {
  std::string out;
  bool dash = false;
  for (unsigned char c : name) {
    if (std::isalnum(c) != 0) {
      if (dash && !out.empty()) out.push_back('-');
      out.push_back(static_cast<char>(std::tolower(c)));
      dash = false;
    } else {
      dash = true;
    }
  }
  return out.substr(0, 60);
}

bool ValidSlug(const std::string& s) {
  if (s.empty() || s.size() > 60 || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && s[i + 1] == '-')) return false;
  }
  return true;
}

// Page tokens (paging/page_token.h): an offset for ranked and sorted lists, a post sequence
// number for keyset lists; each bound to its list by `kind`.
absl::StatusOr<int> OffsetFromToken(const paging::PageTokens& tokens, std::string_view kind,
                                    const std::string& token) {
  if (token.empty()) return 0;
  auto pos = tokens.Decode(kind, token, 1);
  if (!pos.ok()) return pos.status();
  auto n = paging::Int64Field((*pos)[0]);
  if (!n.ok() || *n < 0 || *n > 10000000) return paging::InvalidPageToken();
  return static_cast<int>(*n);
}
std::string OffsetToken(const paging::PageTokens& tokens, std::string_view kind, int offset) {
  return tokens.Encode(kind, {std::to_string(offset)});
}

absl::StatusOr<int64_t> SeqFromToken(const paging::PageTokens& tokens, std::string_view kind,
                                     const std::string& token) {
  if (token.empty()) return 0;
  auto pos = tokens.Decode(kind, token, 1);
  if (!pos.ok()) return pos.status();
  auto n = paging::Int64Field((*pos)[0]);
  if (!n.ok() || *n < 0) return paging::InvalidPageToken();
  return *n;
}
std::string SeqToken(const paging::PageTokens& tokens, std::string_view kind, int64_t seq) {
  return tokens.Encode(kind, {std::to_string(seq)});
}

using paging::Limit;

absl::Status CheckBody(const std::string& body, const std::string& field,
                       std::vector<st::Violation>* v) {
  size_t n = validate::CodePoints(validate::Trim(body));
  if (n == 0) {
    v->push_back({field, "is required"});
  } else if (validate::CodePoints(body) > kMaxBody) {
    v->push_back({field, "must be at most 20000 characters"});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequireReason(const std::string& reason) {
  std::string r = validate::Trim(reason);
  if (r.empty()) return st::ValidationFailed({{"reason", "is required"}});
  if (validate::CodePoints(r) > kMaxReason) {
    return st::ValidationFailed({{"reason", "must be at most 500 characters"}});
  }
  return r;
}

absl::Status NotModerator() {
  return st::PermissionDenied("FORBIDDEN", "Only moderators may do this.");
}
absl::Status ThreadNotFound() { return st::NotFound("THREAD_NOT_FOUND", "No such thread."); }
absl::Status PostNotFound() { return st::NotFound("POST_NOT_FOUND", "No such post."); }
absl::Status PrivateNotFound() {
  return st::NotFound("PRIVATE_THREAD_NOT_FOUND", "No such private thread.");
}

// Which post statuses a caller sees in thread views: moderators see everything; others
// see visible and deleted posts (deleted ones as placeholders) and their own pending ones.
std::string VisibleSql(const std::string& alias) {
  return "(" + alias + ".status IN ('visible', 'deleted') OR $mod OR (" + alias +
         ".status = 'pending_review' AND " + alias + ".author_id = nullif($me, '')::uuid))";
}
std::string Bind(std::string sql, const Caller& c) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t p = sql.find(from); p != std::string::npos; p = sql.find(from, p + to.size())) {
      sql.replace(p, from.size(), to);
    }
  };
  replace("$mod", c.moderator ? "true" : "false");
  // The caller id is a verified token's subject (a UUID); quoted defensively all the same.
  std::string me = validate::ValidUuid(c.id()) ? c.id() : "";
  replace("$me", "'" + me + "'");
  return sql;
}

constexpr const char* kPostCols =
    "p.id::text, p.thread_id::text, p.parent_post_id::text, cardinality(p.path), "
    "p.author_id::text, coalesce(m.display_name, ''), p.body_markdown, p.body_html, "
    "coalesce(m.approved_posts, 0), p.vote_score, coalesce(v.value, 0), p.status, "
    "coalesce(t.accepted_post_id = p.id, false), extract(epoch from p.created_at)::bigint, "
    "extract(epoch from p.edited_at)::bigint, p.seq, coalesce(p.path[1], 0), "
    "p.queue_reason, p.flag_weight, extract(epoch from p.queued_at)::bigint, t.title, "
    "t.category_id::text";
constexpr const char* kPostFrom =
    " FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id "
    "LEFT JOIN forum.members m ON m.user_id = p.author_id "
    "LEFT JOIN forum.votes v ON v.post_id = p.id AND v.user_id = nullif($me, '')::uuid ";

// The thread view, prepared on every connection: the opening post and a page of top-level
// replies ($2: after this seq, $3: how many) with their subtrees, in tree order, each row
// with the thread's own columns (22-30). $4: the caller is a moderator; $5: the caller's id
// or ''. The same visibility rule as VisibleSql.
constexpr const char* kThreadViewSql =
    "WITH top AS (SELECT p.seq FROM forum.posts p WHERE p.thread_id = $1::uuid AND "
    "cardinality(p.path) = 1 AND p.seq > $2::bigint AND (p.status IN ('visible', 'deleted') OR "
    "$4::boolean OR (p.status = 'pending_review' AND p.author_id = nullif($5::text, '')::uuid)) "
    "ORDER BY p.seq LIMIT $3::int) "
    "SELECT p.id::text, p.thread_id::text, p.parent_post_id::text, cardinality(p.path), "
    "p.author_id::text, coalesce(m.display_name, ''), p.body_markdown, p.body_html, "
    "coalesce(m.approved_posts, 0), p.vote_score, coalesce(v.value, 0), p.status, "
    "coalesce(t.accepted_post_id = p.id, false), extract(epoch from p.created_at)::bigint, "
    "extract(epoch from p.edited_at)::bigint, p.seq, coalesce(p.path[1], 0), "
    "p.queue_reason, p.flag_weight, extract(epoch from p.queued_at)::bigint, t.title, "
    "t.category_id::text, t.tags::text, t.pinned, t.locked, t.accepted_post_id::text, "
    "t.reply_count, EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND "
    "f.user_id = nullif($5::text, '')::uuid), left(p.body_text, 400), "
    "extract(epoch from t.last_activity_at)::bigint, extract(epoch from t.created_at)::bigint "
    "FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id "
    "LEFT JOIN forum.members m ON m.user_id = p.author_id "
    "LEFT JOIN forum.votes v ON v.post_id = p.id AND v.user_id = nullif($5::text, '')::uuid "
    "WHERE p.thread_id = $1::uuid AND (p.status IN ('visible', 'deleted') OR $4::boolean OR "
    "(p.status = 'pending_review' AND p.author_id = nullif($5::text, '')::uuid)) AND "
    "(cardinality(p.path) = 0 OR p.path[1] IN (SELECT seq FROM top)) ORDER BY p.path";

constexpr const char* kThreadCols =
    "t.id::text, t.category_id::text, t.title, t.tags::text, t.author_id::text, "
    "coalesce(m.display_name, ''), op.status, t.pinned, t.locked, t.accepted_post_id::text, "
    "t.reply_count, op.vote_score, "
    "EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND f.user_id = "
    "nullif($me, '')::uuid), "
    "left(op.body_text, 400), extract(epoch from t.last_activity_at)::bigint, "
    "extract(epoch from t.created_at)::bigint, op.id::text";
constexpr const char* kThreadFrom =
    " FROM forum.threads t JOIN forum.posts op ON op.thread_id = t.id AND cardinality(op.path) = "
    "0 LEFT JOIN forum.members m ON m.user_id = t.author_id ";

template <class Opts>
void ReadPost(const pqxx::row& r, const Caller& caller, const Opts& trust_of, v1::Post* p) {
  p->set_id(r[0].as<std::string>());
  p->set_thread_id(r[1].as<std::string>());
  if (!r[2].is_null()) p->set_parent_post_id(r[2].as<std::string>());
  p->set_depth(r[3].as<int>());
  p->set_author_id(r[4].as<std::string>());
  p->set_author_display_name(r[5].as<std::string>());
  std::string status = r[11].as<std::string>();
  p->set_status(StatusOf(status));
  bool show_body =
      status == "visible" || status == "pending_review" || (status == "hidden" && caller.moderator);
  if (show_body) {
    p->set_body_markdown(r[6].as<std::string>());
    p->set_body_html(r[7].as<std::string>());
  }
  p->set_author_trust_level(static_cast<v1::TrustLevel>(trust_of(r[8].as<int>())));
  p->set_vote_score(r[9].as<int>());
  p->set_my_vote(r[10].as<int>());
  p->set_accepted(r[12].as<bool>());
  p->mutable_created_at()->set_seconds(r[13].as<int64_t>());
  if (!r[14].is_null()) p->mutable_edited_at()->set_seconds(r[14].as<int64_t>());
}

// Where a thread's fields are in a row: kThreadCols order, or the thread-view statement's.
struct ThreadColumns {
  int id, category, title, tags, author, author_name, status, pinned, locked, accepted, replies,
      score, following, body, last_activity, created;
};
constexpr ThreadColumns kThreadColumns = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
// kThreadViewSql: the opening post's row carries its thread's columns after the post's own.
constexpr ThreadColumns kThreadViewColumns = {1,  21, 20, 22, 4,  5,  11, 23,
                                              24, 25, 26, 9,  27, 28, 29, 30};

void ReadThread(const pqxx::row& r, v1::Thread* t, const ThreadColumns& c = kThreadColumns) {
  t->set_id(r[c.id].as<std::string>());
  t->set_category_id(r[c.category].as<std::string>());
  t->set_title(r[c.title].as<std::string>());
  for (const auto& tag : pg::ParseTextArray(r[c.tags].as<std::string>())) t->add_tags(tag);
  t->set_author_id(r[c.author].as<std::string>());
  t->set_author_display_name(r[c.author_name].as<std::string>());
  std::string status = r[c.status].as<std::string>();
  t->set_status(StatusOf(status));
  t->set_pinned(r[c.pinned].as<bool>());
  t->set_locked(r[c.locked].as<bool>());
  if (!r[c.accepted].is_null()) t->set_accepted_post_id(r[c.accepted].as<std::string>());
  t->set_reply_count(r[c.replies].as<int>());
  t->set_vote_score(r[c.score].as<int>());
  t->set_following(r[c.following].as<bool>());
  if (status == "visible") t->set_excerpt(Excerpt(r[c.body].as<std::string>(), 200));
  t->mutable_last_activity_at()->set_seconds(r[c.last_activity].as<int64_t>());
  t->mutable_created_at()->set_seconds(r[c.created].as<int64_t>());
}

void ReadCategory(const pqxx::row& r, v1::Category* c) {
  c->set_id(r[0].as<std::string>());
  c->set_name(r[1].as<std::string>());
  c->set_slug(r[2].as<std::string>());
  c->set_description(r[3].as<std::string>());
  c->mutable_rules()->set_who_can_post(WhoCanPostOf(r[4].as<std::string>()));
  c->mutable_rules()->set_first_post_approval(r[5].as<bool>());
  c->mutable_rules()->set_slow_mode_seconds(r[6].as<int>());
  c->set_position(r[7].as<int>());
  c->set_thread_count(r[8].as<int>());
  c->mutable_created_at()->set_seconds(r[9].as<int64_t>());
}
constexpr const char* kCategoryCols =
    "c.id::text, c.name, c.slug, c.description, c.who_can_post, c.first_post_approval, "
    "c.slow_mode_seconds, c.position, (SELECT count(*) FROM forum.threads t JOIN forum.posts op "
    "ON op.thread_id = t.id AND cardinality(op.path) = 0 WHERE t.category_id = c.id AND "
    "op.status = 'visible')::int, extract(epoch from c.created_at)::bigint";

constexpr const char* kPrivateThreadCols =
    "pt.id::text, pt.patient_id::text, pt.practitioner_id::text, pt.practitioner_user_id::text, "
    "pt.practitioner_display_name, pt.appointment_id::text, pt.subject, pt.post_count, "
    "extract(epoch from pt.last_post_at)::bigint, extract(epoch from pt.created_at)::bigint";
void ReadPrivateThread(const pqxx::row& r, v1::PrivateThread* t) {
  t->set_id(r[0].as<std::string>());
  t->set_patient_id(r[1].as<std::string>());
  t->set_practitioner_id(r[2].as<std::string>());
  t->set_practitioner_user_id(r[3].as<std::string>());
  t->set_practitioner_display_name(r[4].as<std::string>());
  if (!r[5].is_null()) t->set_appointment_id(r[5].as<std::string>());
  t->set_subject(r[6].as<std::string>());
  t->set_post_count(r[7].as<int>());
  t->mutable_last_post_at()->set_seconds(r[8].as<int64_t>());
  t->mutable_created_at()->set_seconds(r[9].as<int64_t>());
}
constexpr const char* kPrivatePostCols =
    "pp.id::text, pp.thread_id::text, pp.author_id::text, pp.author_display_name, "
    "pp.body_markdown, pp.body_html, extract(epoch from pp.created_at)::bigint, pp.seq";
void ReadPrivatePost(const pqxx::row& r, v1::PrivatePost* p) {
  p->set_id(r[0].as<std::string>());
  p->set_thread_id(r[1].as<std::string>());
  p->set_author_id(r[2].as<std::string>());
  p->set_author_display_name(r[3].as<std::string>());
  p->set_body_markdown(r[4].as<std::string>());
  p->set_body_html(r[5].as<std::string>());
  p->mutable_created_at()->set_seconds(r[6].as<int64_t>());
}

std::string Iso(pqxx::transaction_base& tx, const std::string& ts_expr) {
  return tx
      .exec("SELECT to_char((" + ts_expr +
            ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")[0][0]
      .as<std::string>();
}

// Normalized tags: lower case, [a-z0-9-], deduplicated, in the order given.
std::vector<std::string> NormalizeTags(const google::protobuf::RepeatedPtrField<std::string>& in,
                                       std::vector<st::Violation>* v) {
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

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The weighted search document of a post (title A, tags C, body B).
constexpr const char* kSearchDoc =
    "setweight(to_tsvector('english', $T), 'A') || setweight(to_tsvector('english', $G), 'C') "
    "|| setweight(to_tsvector('english', $B), 'B')";
std::string SearchDoc(int title_param, int tags_param, int body_param) {
  std::string s = kSearchDoc;
  s.replace(s.find("$T"), 2, "$" + std::to_string(title_param));
  s.replace(s.find("$G"), 2, "$" + std::to_string(tags_param));
  s.replace(s.find("$B"), 2, "$" + std::to_string(body_param));
  return s;
}

}  // namespace

ForumServiceImpl::ForumServiceImpl(const Config& config, pg::Pool* pool,
                                   std::shared_ptr<grpc::Channel> iam,
                                   std::shared_ptr<grpc::Channel> org,
                                   std::shared_ptr<grpc::Channel> appointment)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience),
      iam_(iam::v1::IamService::NewStub(iam)),
      org_(org::v1::OrgService::NewStub(org)),
      appointment_(appointment::v1::AppointmentService::NewStub(appointment)) {
  pool_->Prepare("forum_thread_view", kThreadViewSql);
}

absl::StatusOr<Caller> ForumServiceImpl::SignedIn(const grpc::ServerContext& ctx) {
  auto claims = authn_.Authenticate(ctx);
  if (!claims.ok()) return claims.status();
  Caller c;
  c.signed_in = true;
  c.claims = *claims;
  c.moderator = claims->HasRoleOrAdmin("moderator");
  c.admin = claims->HasRole("platform_admin");
  return c;
}

absl::StatusOr<Caller> ForumServiceImpl::Optional(const grpc::ServerContext& ctx) {
  if (grpc_server::Metadata(ctx, "authorization").empty()) return Caller{};
  return SignedIn(ctx);
}

Trust ForumServiceImpl::TrustOf(int approved_posts) const {
  return TrustFor(approved_posts, config_.trust_basic_posts, config_.trust_regular_posts);
}

std::map<std::string, ForumServiceImpl::Person> ForumServiceImpl::People(
    const std::vector<std::string>& user_ids, const std::string& request_id, bool* upstream_ok) {
  std::map<std::string, Person> out;
  std::vector<std::string> missing;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(people_mu_);
    for (const auto& id : user_ids) {
      if (out.count(id) > 0) continue;
      auto it = people_.find(id);
      if (it != people_.end() && it->second.expires > now) {
        out[id] = it->second.person;
      } else if (validate::ValidUuid(id)) {
        missing.push_back(id);
      }
    }
  }
  if (upstream_ok != nullptr) *upstream_ok = true;
  if (missing.empty()) return out;
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  std::map<std::string, Person> fetched;
  bool ok = true;
  {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
    org::v1::LookupPractitionersRequest req;
    for (const auto& id : missing) req.add_user_ids(id);
    org::v1::LookupPractitionersResponse resp;
    grpc::Status s = org_->LookupPractitioners(&ctx, req, &resp);
    if (s.ok()) {
      for (const auto& b : resp.items()) {
        Person& p = fetched[b.user_id()];
        p.verified_practitioner = b.verified_practitioner();
        p.specialty = b.specialty();
        if (b.verified_practitioner()) p.display_name = b.display_name();
      }
    } else {
      ok = false;
      log::Warn("org_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    }
  }
  {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
    iam::v1::LookupUsersRequest req;
    for (const auto& id : missing) req.add_user_ids(id);
    iam::v1::LookupUsersResponse resp;
    grpc::Status s = iam_->LookupUsers(&ctx, req, &resp);
    if (s.ok()) {
      for (const auto& u : resp.users()) {
        Person& p = fetched[u.id()];
        if (p.display_name.empty()) p.display_name = u.full_name();
      }
    } else {
      ok = false;
      log::Warn("iam_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    }
  }
  if (upstream_ok != nullptr) *upstream_ok = ok;
  std::lock_guard lock(people_mu_);
  if (people_.size() > 50000) people_.clear();
  for (const auto& id : missing) {
    Person p = fetched.count(id) > 0 ? fetched[id] : Person{};
    out[id] = p;
    if (ok) people_[id] = {now + std::chrono::seconds(60), p};
  }
  return out;
}

void ForumServiceImpl::AddBadges(const std::string& request_id, std::vector<v1::Post*> posts) {
  std::vector<std::string> ids;
  for (auto* p : posts) ids.push_back(p->author_id());
  auto people = People(ids, request_id);
  for (auto* p : posts) {
    auto it = people.find(p->author_id());
    if (it != people.end() && it->second.verified_practitioner) {
      p->mutable_badge()->set_verified_practitioner(true);
      p->mutable_badge()->set_specialty(it->second.specialty);
    }
  }
}

void ForumServiceImpl::EnsureMember(transaction_base& tx, const std::string& user_id,
                                    const std::string& display_name) {
  tx.exec_params(
      "INSERT INTO forum.members (user_id, display_name) VALUES ($1::uuid, $2) ON CONFLICT "
      "(user_id) DO UPDATE SET display_name = CASE WHEN $2 = '' THEN forum.members.display_name "
      "ELSE $2 END",
      user_id, display_name);
}

absl::StatusOr<std::string> ForumServiceImpl::WatchedWordVerdict(transaction_base& tx,
                                                                 const std::string& text) {
  std::string verdict;
  for (const auto& r : tx.exec("SELECT word, action FROM forum.watched_words")) {
    if (!ContainsWord(text, r[0].as<std::string>())) continue;
    if (r[1].as<std::string>() == "block") {
      return st::InvalidArgument("WATCHED_WORD",
                                 "Your post contains a word this forum does not allow.",
                                 {{"body", "contains a blocked word: " + r[0].as<std::string>()}});
    }
    verdict = "review";
  }
  return verdict;
}

absl::StatusOr<ForumServiceImpl::Gate> ForumServiceImpl::CheckPosting(
    transaction_base& tx, const Caller& caller, const std::string& category_id,
    const std::string& text, const Person& me) {
  Gate gate;
  EnsureMember(tx, caller.id(), me.display_name);
  auto m = tx.exec_params(
      "SELECT approved_posts, suspended_until > now(), to_char(suspended_until AT TIME ZONE "
      "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM forum.members WHERE user_id = $1::uuid FOR "
      "UPDATE",
      caller.id());
  int approved = m[0][0].as<int>();
  gate.trust = TrustOf(approved);
  if (!m[0][1].is_null() && m[0][1].as<bool>()) {
    return st::PermissionDenied("FORUM_SUSPENDED",
                                "You are suspended from posting in the forum "
                                "until " +
                                    m[0][2].as<std::string>() + ".");
  }
  auto c = tx.exec_params(
      "SELECT who_can_post, first_post_approval, slow_mode_seconds FROM forum.categories WHERE "
      "id = $1::uuid",
      category_id);
  if (c.empty()) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
  std::string who = c[0][0].as<std::string>();
  if (!caller.moderator) {
    if (who == "moderators") {
      return st::PermissionDenied("CATEGORY_RESTRICTED", "Only moderators post in this category.");
    }
    if (who == "verified_practitioners" && !me.verified_practitioner) {
      return st::PermissionDenied("CATEGORY_RESTRICTED",
                                  "Only verified practitioners post in this category.");
    }
    int slow = c[0][2].as<int>();
    if (slow > 0) {
      auto last = tx.exec_params(
          "SELECT ceil($3 - extract(epoch from now() - max(p.created_at)))::int FROM forum.posts "
          "p JOIN forum.threads t ON t.id = p.thread_id WHERE p.author_id = $1::uuid AND "
          "t.category_id = $2::uuid AND p.created_at > now() - make_interval(secs => $3)",
          caller.id(), category_id, slow);
      if (!last[0][0].is_null()) {
        int wait = std::max(1, last[0][0].as<int>());
        return st::ResourceExhausted(
            "SLOW_MODE",
            "This category is in slow mode: wait " + std::to_string(wait) + " s before posting.",
            wait);
      }
    }
  }
  auto verdict = WatchedWordVerdict(tx, text);
  if (!verdict.ok()) return verdict.status();
  if (caller.moderator) return gate;
  if (*verdict == "review") {
    gate.status = "pending_review";
    gate.queue_reason = "watched_word";
  } else if (c[0][1].as<bool>() && approved == 0) {
    gate.status = "pending_review";
    gate.queue_reason = "first_post";
  }
  return gate;
}

void ForumServiceImpl::EmitReplyCreated(transaction_base& tx, const std::string& post_id) {
  auto r = tx.exec_params(
      "SELECT p.thread_id::text, t.title, p.parent_post_id::text, pp.author_id::text, "
      "p.author_id::text, coalesce(m.display_name, ''), t.category_id::text, "
      "to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
      "coalesce((SELECT array_agg(f.user_id::text ORDER BY f.created_at) FROM forum.follows f "
      "WHERE f.thread_id = p.thread_id AND f.user_id <> p.author_id), '{}')::text "
      "FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id "
      "LEFT JOIN forum.posts pp ON pp.id = p.parent_post_id "
      "LEFT JOIN forum.members m ON m.user_id = p.author_id WHERE p.id = $1::uuid",
      post_id);
  if (r.empty()) return;
  const auto& row = r[0];
  json followers = json::array();
  for (const auto& f : pg::ParseTextArray(row[8].as<std::string>())) followers.push_back(f);
  json payload = {
      {"thread_id", row[0].as<std::string>()},
      {"thread_title", row[1].as<std::string>()},
      {"post_id", post_id},
      {"parent_post_id", row[2].is_null() ? json(nullptr) : json(row[2].as<std::string>())},
      {"parent_author_id", row[3].is_null() ? json(nullptr) : json(row[3].as<std::string>())},
      {"author_id", row[4].as<std::string>()},
      {"author_display_name", row[5].as<std::string>()},
      {"category_id", row[6].as<std::string>()},
      {"follower_ids", followers},
      {"created_at", row[7].as<std::string>()},
  };
  outbox::Enqueue(tx, "forum", "forum.reply_created", row[0].as<std::string>(), payload.dump());
}

void ForumServiceImpl::EmitModeration(transaction_base& tx, const std::string& action,
                                      const std::string& post_id, const std::string& thread_id,
                                      const std::string& target_user_id,
                                      const std::string& moderator_id, const std::string& reason,
                                      const std::string& until) {
  tx.exec_params(
      "INSERT INTO forum.moderation_log (moderator_id, action, post_id, thread_id, "
      "target_user_id, reason, until) VALUES ($1::uuid, $2, nullif($3, '')::uuid, nullif($4, "
      "'')::uuid, nullif($5, '')::uuid, $6, nullif($7, '')::timestamptz)",
      moderator_id, action, post_id, thread_id, target_user_id, reason, until);
  json payload = {
      {"action", action},
      {"post_id", post_id.empty() ? json(nullptr) : json(post_id)},
      {"thread_id", thread_id.empty() ? json(nullptr) : json(thread_id)},
      {"target_user_id", target_user_id},
      {"moderator_id", moderator_id},
      {"reason", reason},
      {"until", until.empty() ? json(nullptr) : json(until)},
      {"at", Iso(tx, "now()")},
  };
  outbox::Enqueue(tx, "forum", "forum.moderation_action",
                  !post_id.empty()     ? post_id
                  : !thread_id.empty() ? thread_id
                                       : target_user_id,
                  payload.dump());
}

void ForumServiceImpl::RecountReplies(transaction_base& tx, const std::string& thread_id) {
  tx.exec_params(
      "UPDATE forum.threads SET reply_count = (SELECT count(*) FROM forum.posts WHERE thread_id "
      "= $1::uuid AND cardinality(path) > 0 AND status = 'visible') WHERE id = $1::uuid",
      thread_id);
}

absl::Status ForumServiceImpl::LoadThread(transaction_base& tx, const Caller& caller,
                                          const std::string& id, v1::Thread* out) {
  if (!validate::ValidUuid(id)) return ThreadNotFound();
  auto rows = tx.exec_params(Bind(std::string("SELECT ") + kThreadCols + kThreadFrom +
                                      "WHERE t.id = $1::uuid AND " + VisibleSql("op"),
                                  caller),
                             id);
  if (rows.empty()) return ThreadNotFound();
  ReadThread(rows[0], out);
  return absl::OkStatus();
}

absl::Status ForumServiceImpl::LoadPost(transaction_base& tx, const Caller& caller,
                                        const std::string& id, v1::Post* out,
                                        std::string* thread_id) {
  if (!validate::ValidUuid(id)) return PostNotFound();
  auto rows = tx.exec_params(Bind(std::string("SELECT ") + kPostCols + kPostFrom +
                                      "WHERE p.id = $1::uuid AND " + VisibleSql("p"),
                                  caller),
                             id);
  if (rows.empty()) return PostNotFound();
  ReadPost(
      rows[0], caller, [this](int n) { return TrustOf(n); }, out);
  if (thread_id != nullptr) *thread_id = rows[0][1].as<std::string>();
  return absl::OkStatus();
}

// ------------------------------------------------------------------ categories

grpc::Status ForumServiceImpl::CreateCategory(Ctx* ctx, const v1::CreateCategoryRequest* req,
                                              v1::Category* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->admin) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins add categories.");
    }
    std::vector<st::Violation> v;
    std::string name = validate::Trim(req->name());
    std::string description = validate::Trim(req->description());
    size_t n = validate::CodePoints(name);
    if (n < 2 || n > 80) v.push_back({"name", "must be 2-80 characters"});
    if (validate::CodePoints(description) > 500) {
      v.push_back({"description", "must be at most 500 characters"});
    }
    std::string slug = req->slug().empty() ? Slugify(name) : req->slug();
    if (!ValidSlug(slug))
      v.push_back({"slug", "must be lower-case words of a-z, 0-9 joined by '-'"});
    int slow = req->rules().slow_mode_seconds();
    if (slow < 0 || slow > 86400) v.push_back({"rules.slow_mode_seconds", "must be 0-86400"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          if (!tx.exec_params("SELECT 1 FROM forum.categories WHERE lower(name) = lower($1) OR "
                              "slug = $2",
                              name, slug)
                   .empty()) {
            return st::Conflict("CATEGORY_EXISTS", "A category with this name or slug exists.");
          }
          auto id = tx.exec_params(
              "INSERT INTO forum.categories (name, slug, description, who_can_post, "
              "first_post_approval, slow_mode_seconds, position, created_by) VALUES ($1, $2, $3, "
              "$4, $5, $6, $7, $8::uuid) RETURNING id::text",
              name, slug, description, WhoCanPostName(req->rules().who_can_post()),
              req->rules().first_post_approval(), slow, req->position(), caller->id());
          auto rows = tx.exec_params(std::string("SELECT ") + kCategoryCols +
                                         " FROM forum.categories c WHERE c.id = $1::uuid",
                                     id[0][0].as<std::string>());
          ReadCategory(rows[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::ListCategories(Ctx* ctx, const v1::ListCategoriesRequest* req,
                                              v1::ListCategoriesResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto offset = OffsetFromToken(page_tokens_, "categories", req->page_token());
    if (!offset.ok()) return offset.status();
    int limit = Limit(req->limit(), 20, 100);
    return pg::WithTransaction(
        *pool_, pg::Subject{"", ""}, [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(std::string("SELECT ") + kCategoryCols +
                                         " FROM forum.categories c ORDER BY c.position, c.name, "
                                         "c.id OFFSET $1 LIMIT $2",
                                     *offset, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
            ReadCategory(rows[i], resp->add_items());
          if (static_cast<int>(rows.size()) > limit)
            resp->set_next_page_token(OffsetToken(page_tokens_, "categories", *offset + limit));
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ threads and posts

grpc::Status ForumServiceImpl::CreateThread(Ctx* ctx, const v1::CreateThreadRequest* req,
                                            v1::Thread* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->category_id())) v.push_back({"category_id", "must be a UUID"});
    std::string title = validate::Trim(req->title());
    size_t tn = validate::CodePoints(title);
    if (tn < kMinTitle || tn > kMaxTitle) v.push_back({"title", "must be 5-200 characters"});
    CheckBody(req->body(), "body", &v).IgnoreError();
    auto tags = NormalizeTags(req->tags(), &v);
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    bool ok = true;
    Person me = People({caller->id()}, scope.request_id(), &ok)[caller->id()];
    std::string thread_id;
    absl::Status s =
        pg::WithTransaction(*pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          auto gate = CheckPosting(tx, *caller, req->category_id(), title + "\n" + req->body(), me);
          if (!gate.ok()) return gate.status();
          std::string html = RenderMarkdown(req->body(), {gate->trust});
          std::string text = PlainText(html);
          thread_id = tx.exec_params(
                            "INSERT INTO forum.threads (category_id, title, tags, author_id) "
                            "VALUES ($1::uuid, $2, $3::text[], $4::uuid) RETURNING id::text",
                            req->category_id(), title, pg::TextArray(tags), caller->id())[0][0]
                          .as<std::string>();
          tx.exec_params(
              "INSERT INTO forum.posts (thread_id, path, author_id, body_markdown, "
              "body_html, body_text, status, queue_reason, queued_at, search) VALUES "
              "($1::uuid, '{}', $2::uuid, $3, $4, $5, $6, nullif($7, ''), CASE WHEN "
              "$7 = '' THEN NULL ELSE now() END, " +
                  SearchDoc(8, 9, 5) + ")",
              thread_id, caller->id(), req->body(), html, text, gate->status, gate->queue_reason,
              title, Join(tags, " "));
          tx.exec_params(
              "INSERT INTO forum.follows (thread_id, user_id) VALUES ($1::uuid, "
              "$2::uuid)",
              thread_id, caller->id());
          if (gate->status == "visible") {
            tx.exec_params(
                "UPDATE forum.members SET approved_posts = approved_posts + 1 WHERE "
                "user_id = $1::uuid",
                caller->id());
          }
          if (auto ls = LoadThread(tx, *caller, thread_id, resp); !ls.ok()) return ls;
          return LoadPost(tx, *caller,
                          tx.exec_params("SELECT id::text FROM forum.posts WHERE thread_id = "
                                         "$1::uuid AND cardinality(path) = 0",
                                         thread_id)[0][0]
                              .as<std::string>(),
                          resp->mutable_opening_post());
        });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp->mutable_opening_post()});
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::ListThreads(Ctx* ctx, const v1::ListThreadsRequest* req,
                                           v1::ListThreadsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = Limit(req->limit(), 20, 100);
    auto offset = OffsetFromToken(page_tokens_, "threads", req->page_token());
    if (!offset.ok()) return offset.status();
    std::string category = !req->category_id().empty() ? req->category_id() : req->category();
    std::string tag = validate::Trim(req->tag());
    for (auto& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string order;
    std::string extra;
    switch (req->sort()) {
      case v1::THREAD_SORT_TOP:
        order = "op.vote_score DESC, t.last_activity_at DESC, t.id";
        break;
      case v1::THREAD_SORT_UNANSWERED:
        order = "t.created_at DESC, t.id";
        extra = " AND t.reply_count = 0";
        break;
      default:
        order = "t.last_activity_at DESC, t.id";
    }
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          std::string category_id;
          if (!category.empty()) {
            auto c = tx.exec_params(
                "SELECT id::text FROM forum.categories WHERE id::text = $1 OR slug = $1", category);
            if (c.empty()) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
            category_id = c[0][0].as<std::string>();
          }
          // Lists show what everyone may see (moderators use the queue for the rest).
          auto rows = tx.exec_params(
              Bind(std::string("SELECT ") + kThreadCols + kThreadFrom +
                       "WHERE op.status = 'visible' AND ($1 = '' OR t.category_id = "
                       "nullif($1, '')::uuid) AND ($2 = '' OR t.tags @> ARRAY[$2]::text[])" +
                       extra + " ORDER BY t.pinned DESC, " + order + " LIMIT $3 OFFSET $4",
                   *caller),
              category_id, tag, limit + 1, *offset);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            ReadThread(rows[i], resp->add_items());
          }
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(OffsetToken(page_tokens_, "threads", *offset + limit));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::GetThread(Ctx* ctx, const v1::GetThreadRequest* req,
                                         v1::GetThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = Limit(req->limit(), 50, 200);
    auto after = SeqFromToken(page_tokens_, "thread-replies", req->page_token());
    if (!after.ok()) return after.status();
    if (!validate::ValidUuid(req->id())) return ThreadNotFound();
    // One round trip: the caller's RLS settings and the prepared thread view (see
    // kThreadViewSql) go as one message.
    auto rows = pg::ReadOnce(*pool_, caller->subject(), [&](pqxx::connection& c) {
      return "EXECUTE forum_thread_view(" + c.quote(req->id()) + ", " + std::to_string(*after) +
             ", " + std::to_string(limit + 1) + ", " + (caller->moderator ? "true" : "false") +
             ", " + c.quote(validate::ValidUuid(caller->id()) ? caller->id() : "") + ")";
    });
    if (!rows.ok()) return rows.status();
    auto* thread = resp->mutable_thread();
    // The opening post's row carries the thread; without it the thread is not visible.
    std::optional<pqxx::row> opening;
    for (const auto& r : *rows) {
      if (r[3].as<int>() == 0) opening = pqxx::row(r);
    }
    if (!opening) return ThreadNotFound();
    ReadThread(*opening, thread, kThreadViewColumns);
    std::set<int64_t> tops;
    for (const auto& r : *rows) {
      if (r[3].as<int>() == 1) tops.insert(r[15].as<int64_t>());
    }
    int64_t cut = 0;  // the extra top-level reply that only says "there is more"
    if (static_cast<int>(tops.size()) > limit) {
      cut = *tops.rbegin();
      tops.erase(cut);
      resp->set_next_page_token(SeqToken(page_tokens_, "thread-replies", *tops.rbegin()));
    }
    std::vector<v1::Post*> posts;
    std::map<std::string, v1::Post*> by_id;
    for (const auto& r : *rows) {
      if (cut != 0 && r[16].as<int64_t>() == cut) continue;
      v1::Post* p = r[3].as<int>() == 0 ? thread->mutable_opening_post() : resp->add_items();
      ReadPost(
          r, *caller, [this](int n) { return TrustOf(n); }, p);
      posts.push_back(p);
      by_id[p->id()] = p;
    }
    for (auto* p : posts) {
      std::string parent = p->has_parent_post_id() ? p->parent_post_id()
                           : p->depth() == 1       ? thread->opening_post().id()
                                                   : "";
      auto it = by_id.find(parent);
      if (it != by_id.end()) it->second->set_reply_count(it->second->reply_count() + 1);
    }
    absl::Status s = absl::OkStatus();
    if (!s.ok()) return s;
    std::vector<v1::Post*> all;
    if (resp->thread().has_opening_post())
      all.push_back(resp->mutable_thread()->mutable_opening_post());
    for (auto& p : *resp->mutable_items()) all.push_back(&p);
    AddBadges(scope.request_id(), all);
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::CreatePost(Ctx* ctx, const v1::CreatePostRequest* req,
                                          v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (req->has_parent_post_id() && !req->parent_post_id().empty() &&
        !validate::ValidUuid(req->parent_post_id())) {
      v.push_back({"parent_post_id", "must be a UUID"});
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    absl::Status s =
        pg::WithTransaction(*pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Thread thread;
          if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
          auto t = tx.exec_params("SELECT locked FROM forum.threads WHERE id = $1::uuid FOR UPDATE",
                                  thread.id());
          if (t[0][0].as<bool>() && !caller->moderator) {
            return st::Conflict("THREAD_LOCKED", "This thread is locked.");
          }
          // The parent: absent or the opening post for a top-level reply.
          std::string parent_id;
          std::string parent_path = "{}";
          if (req->has_parent_post_id() && !req->parent_post_id().empty()) {
            auto p = tx.exec_params(
                Bind("SELECT p.id::text, p.path::text, cardinality(p.path), p.status FROM "
                     "forum.posts p WHERE p.id = $1::uuid AND p.thread_id = $2::uuid AND " +
                         VisibleSql("p"),
                     *caller),
                req->parent_post_id(), thread.id());
            if (p.empty()) {
              return st::NotFound("PARENT_POST_NOT_FOUND", "No such post in this thread.");
            }
            if (p[0][3].as<std::string>() != "visible" && !caller->moderator) {
              return st::Conflict("PARENT_POST_CLOSED", "This post cannot be replied to.");
            }
            if (p[0][2].as<int>() >= kMaxDepth) {
              return st::InvalidArgument(
                  "THREAD_TOO_DEEP", "Replies nest at most 10 levels deep.",
                  {{"parent_post_id", "is already 10 levels deep; reply to its parent"}});
            }
            if (p[0][2].as<int>() > 0) {
              parent_id = p[0][0].as<std::string>();
              parent_path = p[0][1].as<std::string>();
            }
          }
          auto gate = CheckPosting(tx, *caller, thread.category_id(), req->body(), me);
          if (!gate.ok()) return gate.status();
          std::string html = RenderMarkdown(req->body(), {gate->trust});
          std::string text = PlainText(html);
          auto id = tx.exec_params(
              "WITH s AS (SELECT nextval(pg_get_serial_sequence('forum.posts', 'seq')) AS seq) "
              "INSERT INTO forum.posts (seq, thread_id, parent_post_id, path, author_id, "
              "body_markdown, body_html, body_text, status, queue_reason, queued_at, search) "
              "SELECT s.seq, $1::uuid, nullif($2, '')::uuid, $3::bigint[] || s.seq, $4::uuid, $5, "
              "$6, $7, $8, nullif($9, ''), CASE WHEN $9 = '' THEN NULL ELSE now() END, " +
                  SearchDoc(10, 10, 7) + " FROM s RETURNING id::text",
              thread.id(), parent_id, parent_path, caller->id(), req->body(), html, text,
              gate->status, gate->queue_reason, std::string());
          std::string post_id = id[0][0].as<std::string>();
          if (gate->status == "visible") {
            tx.exec_params(
                "UPDATE forum.threads SET reply_count = reply_count + 1, "
                "last_activity_at = now() WHERE id = $1::uuid",
                thread.id());
            tx.exec_params(
                "UPDATE forum.members SET approved_posts = approved_posts + 1 WHERE "
                "user_id = $1::uuid",
                caller->id());
            EmitReplyCreated(tx, post_id);
          }
          return LoadPost(tx, *caller, post_id, resp);
        });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp});
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::EditPost(Ctx* ctx, const v1::EditPostRequest* req, v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    absl::Status s =
        pg::WithTransaction(*pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post current;
          std::string thread_id;
          if (auto ls = LoadPost(tx, *caller, req->id(), &current, &thread_id); !ls.ok()) return ls;
          if (current.author_id() != caller->id()) {
            return st::PermissionDenied("FORBIDDEN", "You can edit only your own posts.");
          }
          auto p = tx.exec_params(
              "SELECT p.status, p.body_markdown, p.created_at > now() - make_interval(secs => $2), "
              "cardinality(p.path) = 0, t.title, array_to_string(t.tags, ' '), "
              "coalesce(m.approved_posts, 0) "
              "FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id LEFT JOIN "
              "forum.members m ON m.user_id = p.author_id WHERE p.id = $1::uuid FOR UPDATE OF p",
              req->id(), config_.edit_window_seconds);
          std::string status = p[0][0].as<std::string>();
          if (status == "deleted" || status == "hidden") {
            return st::Conflict("POST_NOT_EDITABLE", "A deleted or hidden post cannot be edited.");
          }
          if (!p[0][2].as<bool>()) {
            return st::Conflict("EDIT_WINDOW_CLOSED",
                                "Posts can be edited for 24 hours after posting.");
          }
          auto verdict = WatchedWordVerdict(tx, req->body());
          if (!verdict.ok()) return verdict.status();
          bool review = *verdict == "review" && !caller->moderator;
          bool opening = p[0][3].as<bool>();
          std::string html = RenderMarkdown(req->body(), {TrustOf(p[0][6].as<int>())});
          std::string text = PlainText(html);
          tx.exec_params(
              "INSERT INTO forum.post_edits (post_id, previous_markdown, edited_by) "
              "VALUES ($1::uuid, $2, $3::uuid)",
              req->id(), p[0][1].as<std::string>(), caller->id());
          tx.exec_params(
              "UPDATE forum.posts SET body_markdown = $2, body_html = $3, body_text = $4, "
              "edited_at = now(), search = " +
                  SearchDoc(5, 6, 4) +
                  ", status = CASE WHEN $7 THEN 'pending_review' ELSE status END, "
                  "queue_reason = CASE WHEN $7 THEN 'watched_word' ELSE queue_reason END, "
                  "queued_at = CASE WHEN $7 THEN now() ELSE queued_at END WHERE id = $1::uuid",
              req->id(), req->body(), html, text, opening ? p[0][4].as<std::string>() : "",
              opening ? p[0][5].as<std::string>() : "", review);
          if (review) RecountReplies(tx, thread_id);
          return LoadPost(tx, *caller, req->id(), resp);
        });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp});
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::ListPostEdits(Ctx* ctx, const v1::ListPostEditsRequest* req,
                                             v1::ListPostEditsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    auto offset = OffsetFromToken(page_tokens_, "post-edits", req->page_token());
    if (!offset.ok()) return offset.status();
    int limit = Limit(req->limit(), 20, 100);
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post post;  // visibility: the post's own rule
          if (auto ls = LoadPost(tx, *caller, req->id(), &post); !ls.ok()) return ls;
          // Authors often edit to take out what identifies them: earlier versions are for
          // the author and moderators only; a deleted post's for moderators only.
          bool author = !caller->id().empty() && post.author_id() == caller->id();
          if (!caller->moderator && (!author || post.status() == v1::POST_STATUS_DELETED)) {
            return st::PermissionDenied(
                "FORBIDDEN", "Only the author and moderators see earlier versions of a post.");
          }
          auto rows = tx.exec_params(
              "SELECT e.previous_markdown, extract(epoch from e.edited_at)::float8, "
              "coalesce(m.approved_posts, 0) FROM forum.post_edits e JOIN forum.posts p ON "
              "p.id = e.post_id LEFT JOIN forum.members m ON m.user_id = p.author_id "
              "WHERE e.post_id = $1::uuid ORDER BY e.edited_at DESC, e.id DESC OFFSET $2 LIMIT $3",
              req->id(), *offset, limit + 1);
          if (static_cast<int>(rows.size()) > limit)
            resp->set_next_page_token(OffsetToken(page_tokens_, "post-edits", *offset + limit));
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            const auto& r = rows[i];
            auto* e = resp->add_items();
            e->set_body_html(RenderMarkdown(r[0].as<std::string>(), {TrustOf(r[2].as<int>())}));
            double t = r[1].as<double>();
            e->mutable_edited_at()->set_seconds(static_cast<int64_t>(t));
            e->mutable_edited_at()->set_nanos(
                static_cast<int32_t>((t - static_cast<double>(static_cast<int64_t>(t))) * 1e9));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::DeletePost(Ctx* ctx, const v1::DeletePostRequest* req,
                                          v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post current;
          std::string thread_id;
          if (auto ls = LoadPost(tx, *caller, req->id(), &current, &thread_id); !ls.ok()) return ls;
          if (current.author_id() != caller->id()) {
            return st::PermissionDenied("FORBIDDEN", "You can delete only your own posts.");
          }
          tx.exec_params(
              "UPDATE forum.posts SET status = 'deleted', queue_reason = NULL, "
              "queued_at = NULL WHERE id = $1::uuid",
              req->id());
          tx.exec_params(
              "UPDATE forum.threads SET accepted_post_id = NULL WHERE "
              "accepted_post_id = $1::uuid",
              req->id());
          RecountReplies(tx, thread_id);
          return LoadPost(tx, *caller, req->id(), resp);
        });
  });
}

grpc::Status ForumServiceImpl::VotePost(Ctx* ctx, const v1::VotePostRequest* req,
                                        v1::VotePostResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->value() < -1 || req->value() > 1) {
      return st::ValidationFailed({{"value", "must be -1, 0 or 1"}});
    }
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post post;
          if (auto ls = LoadPost(tx, *caller, req->id(), &post); !ls.ok()) return ls;
          if (post.status() != v1::POST_STATUS_VISIBLE) {
            return st::Conflict("POST_NOT_VOTABLE", "Only visible posts take votes.");
          }
          if (post.author_id() == caller->id()) {
            return st::PermissionDenied("OWN_POST", "You cannot vote on your own post.");
          }
          auto old = tx.exec_params(
              "SELECT value FROM forum.votes WHERE post_id = $1::uuid AND user_id = $2::uuid FOR "
              "UPDATE",
              req->id(), caller->id());
          int before = old.empty() ? 0 : old[0][0].as<int>();
          if (req->value() == 0) {
            tx.exec_params(
                "DELETE FROM forum.votes WHERE post_id = $1::uuid AND user_id = $2::uuid",
                req->id(), caller->id());
          } else {
            tx.exec_params(
                "INSERT INTO forum.votes (post_id, user_id, value) VALUES ($1::uuid, $2::uuid, "
                "$3) ON CONFLICT (post_id, user_id) DO UPDATE SET value = $3, updated_at = now()",
                req->id(), caller->id(), req->value());
          }
          auto score = tx.exec_params(
              "UPDATE forum.posts SET vote_score = vote_score + $2 WHERE id = $1::uuid RETURNING "
              "vote_score",
              req->id(), req->value() - before);
          resp->set_id(req->id());
          resp->set_vote_score(score[0][0].as<int>());
          resp->set_my_vote(req->value());
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::AcceptAnswer(Ctx* ctx, const v1::AcceptAnswerRequest* req,
                                            v1::Thread* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Thread thread;
          if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
          if (thread.author_id() != caller->id()) {
            return st::PermissionDenied("FORBIDDEN", "Only the thread's author accepts an answer.");
          }
          if (!req->post_id().empty()) {
            if (!validate::ValidUuid(req->post_id()) ||
                tx.exec_params("SELECT 1 FROM forum.posts WHERE id = $1::uuid AND thread_id = "
                               "$2::uuid AND cardinality(path) > 0 AND status = 'visible'",
                               req->post_id(), thread.id())
                    .empty()) {
              return st::NotFound("POST_NOT_FOUND", "No such reply in this thread.");
            }
          }
          tx.exec_params(
              "UPDATE forum.threads SET accepted_post_id = nullif($2, '')::uuid WHERE "
              "id = $1::uuid",
              thread.id(), req->post_id());
          return LoadThread(tx, *caller, thread.id(), resp);
        });
  });
}

grpc::Status ForumServiceImpl::FollowThread(Ctx* ctx, const v1::FollowThreadRequest* req,
                                            v1::FollowThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Thread thread;
          if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
          tx.exec_params(
              "INSERT INTO forum.follows (thread_id, user_id) VALUES ($1::uuid, "
              "$2::uuid) ON CONFLICT DO NOTHING",
              thread.id(), caller->id());
          resp->set_id(thread.id());
          resp->set_following(true);
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::UnfollowThread(Ctx* ctx, const v1::UnfollowThreadRequest* req,
                                              v1::FollowThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Thread thread;
          if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
          tx.exec_params(
              "DELETE FROM forum.follows WHERE thread_id = $1::uuid AND user_id = "
              "$2::uuid",
              thread.id(), caller->id());
          resp->set_id(thread.id());
          resp->set_following(false);
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ private threads

grpc::Status ForumServiceImpl::CreatePrivateThread(Ctx* ctx,
                                                   const v1::CreatePrivateThreadRequest* req,
                                                   v1::PrivateThread* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->practitioner_id())) {
      v.push_back({"practitioner_id", "must be a UUID"});
    }
    if (req->has_appointment_id() && !req->appointment_id().empty() &&
        !validate::ValidUuid(req->appointment_id())) {
      v.push_back({"appointment_id", "must be a UUID"});
    }
    std::string subject = validate::Trim(req->subject());
    size_t sn = validate::CodePoints(subject);
    if (sn == 0 || sn > kMaxTitle) v.push_back({"subject", "must be 1-200 characters"});
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    // The practitioner, from OrgService (verified practitioners only).
    org::v1::Practitioner practitioner;
    {
      grpc::ClientContext cctx;
      grpc_server::PrepareInternalCall(cctx, config_.internal_token, scope.request_id());
      org::v1::GetPractitionerRequest preq;
      preq.set_id(req->practitioner_id());
      grpc::Status gs = org_->GetPractitioner(&cctx, preq, &practitioner);
      if (gs.error_code() == grpc::StatusCode::NOT_FOUND) {
        return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
      }
      if (!gs.ok()) return st::Unavailable("ORG_UNAVAILABLE", "Practitioners are unavailable.");
    }
    if (practitioner.user_id() == caller->id()) {
      return st::InvalidArgument("OWN_PRACTITIONER_PROFILE",
                                 "You cannot open a private thread with yourself.",
                                 {{"practitioner_id", "is you"}});
    }
    // The appointment, asked of the appointment service as the caller: it must be theirs
    // and with this practitioner.
    if (req->has_appointment_id() && !req->appointment_id().empty()) {
      grpc::ClientContext cctx;
      grpc_server::PrepareInternalCall(cctx, config_.internal_token, scope.request_id());
      cctx.AddMetadata("authorization", grpc_server::Metadata(*ctx, "authorization"));
      appointment::v1::GetAppointmentRequest areq;
      areq.set_id(req->appointment_id());
      appointment::v1::Appointment appt;
      grpc::Status gs = appointment_->GetAppointment(&cctx, areq, &appt);
      if (gs.error_code() == grpc::StatusCode::NOT_FOUND ||
          gs.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          (gs.ok() && appt.patient_id() != caller->id())) {
        return st::NotFound("APPOINTMENT_NOT_FOUND", "No such appointment of yours.");
      }
      if (!gs.ok()) {
        return st::Unavailable("APPOINTMENTS_UNAVAILABLE", "Appointments are unavailable.");
      }
      if (appt.practitioner_id() != practitioner.id()) {
        return st::InvalidArgument("APPOINTMENT_MISMATCH",
                                   "That appointment is with another practitioner.",
                                   {{"appointment_id", "is not with this practitioner"}});
      }
    }
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          std::string html = RenderMarkdown(req->body(), {Trust::kNew});
          auto t = tx.exec_params(
              "INSERT INTO forum.private_threads (patient_id, practitioner_id, "
              "practitioner_user_id, practitioner_display_name, appointment_id, subject, "
              "post_count) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, nullif($5, '')::uuid, $6, 1) "
              "RETURNING id::text",
              caller->id(), practitioner.id(), practitioner.user_id(), practitioner.display_name(),
              req->appointment_id(), subject);
          std::string id = t[0][0].as<std::string>();
          auto p = tx.exec_params(
              "INSERT INTO forum.private_posts (thread_id, author_id, author_display_name, "
              "body_markdown, body_html) VALUES ($1::uuid, $2::uuid, $3, $4, $5) RETURNING "
              "id::text, to_char(created_at AT TIME ZONE 'UTC', "
              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
              id, caller->id(), me.display_name, req->body(), html);
          tx.exec_params(
              "INSERT INTO forum.audit_log (actor_id, action, private_thread_id, "
              "client_ip, request_id) VALUES ($1::uuid, 'create', $2::uuid, $3, $4)",
              caller->id(), id, scope.client_ip(), scope.request_id());
          json payload = {{"private_thread_id", id},
                          {"post_id", p[0][0].as<std::string>()},
                          {"author_id", caller->id()},
                          {"recipient_user_id", practitioner.user_id()},
                          {"created_at", p[0][1].as<std::string>()}};
          outbox::Enqueue(tx, "forum", "forum.private_post_created", id, payload.dump());
          auto rows = tx.exec_params(std::string("SELECT ") + kPrivateThreadCols +
                                         " FROM forum.private_threads pt WHERE pt.id = $1::uuid",
                                     id);
          ReadPrivateThread(rows[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::ListPrivateThreads(Ctx* ctx,
                                                  const v1::ListPrivateThreadsRequest* req,
                                                  v1::ListPrivateThreadsResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = Limit(req->limit(), 20, 100);
    auto offset = OffsetFromToken(page_tokens_, "private-threads", req->page_token());
    if (!offset.ok()) return offset.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          // Mine only, as patient or practitioner (admins read others' one at a time, audited).
          auto rows = tx.exec_params(
              std::string("SELECT ") + kPrivateThreadCols +
                  " FROM forum.private_threads pt WHERE pt.patient_id = $1::uuid OR "
                  "pt.practitioner_user_id = $1::uuid ORDER BY pt.last_post_at DESC, pt.id LIMIT "
                  "$2 OFFSET $3",
              caller->id(), limit + 1, *offset);
          std::vector<std::string> listed;
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            ReadPrivateThread(rows[i], resp->add_items());
            listed.push_back(resp->items(i).id());
          }
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(
                OffsetToken(page_tokens_, "private-threads", *offset + limit));
          }
          // A list shows subjects (PHI): each listed thread's read is audited too.
          if (!listed.empty()) {
            tx.exec_params(
                "INSERT INTO forum.audit_log (actor_id, action, private_thread_id, client_ip, "
                "request_id) SELECT $1::uuid, 'list', id, $3, $4 FROM unnest($2::uuid[]) AS id",
                caller->id(), pg::TextArray(listed), scope.client_ip(), scope.request_id());
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::GetPrivateThread(Ctx* ctx, const v1::GetPrivateThreadRequest* req,
                                                v1::GetPrivateThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->id())) return PrivateNotFound();
    int limit = Limit(req->limit(), 50, 200);
    auto after = SeqFromToken(page_tokens_, "private-posts", req->page_token());
    if (!after.ok()) return after.status();
    std::string reason = validate::Trim(req->access_reason());
    if (validate::CodePoints(reason) > kMaxReason) {
      return st::ValidationFailed({{"access_reason", "must be at most 500 characters"}});
    }
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          // Row-level security shows the row to its patient, its practitioner and platform
          // admins only; everyone else gets the same 404 as for a missing id.
          auto rows = tx.exec_params(std::string("SELECT ") + kPrivateThreadCols +
                                         " FROM forum.private_threads pt WHERE pt.id = $1::uuid",
                                     req->id());
          if (rows.empty()) return PrivateNotFound();
          ReadPrivateThread(rows[0], resp->mutable_thread());
          bool participant = resp->thread().patient_id() == caller->id() ||
                             resp->thread().practitioner_user_id() == caller->id();
          if (!participant && !caller->admin) {
            resp->Clear();
            return PrivateNotFound();
          }
          if (!participant && reason.empty()) {
            resp->Clear();
            return st::InvalidArgument(
                "ACCESS_REASON_REQUIRED",
                "Reading another user's private thread needs a reason, which is audited.",
                {{"access_reason", "is required for platform admins"}});
          }
          tx.exec_params(
              "INSERT INTO forum.audit_log (actor_id, action, private_thread_id, reason, "
              "client_ip, request_id) VALUES ($1::uuid, $2, $3::uuid, nullif($4, ''), $5, $6)",
              caller->id(), participant ? "read" : "admin_read", req->id(), reason,
              scope.client_ip(), scope.request_id());
          auto posts = tx.exec_params(std::string("SELECT ") + kPrivatePostCols +
                                          " FROM forum.private_posts pp WHERE pp.thread_id = "
                                          "$1::uuid AND pp.seq > $2 ORDER BY pp.seq LIMIT $3",
                                      req->id(), *after, limit + 1);
          for (int i = 0; i < static_cast<int>(posts.size()) && i < limit; ++i) {
            ReadPrivatePost(posts[i], resp->add_items());
          }
          if (static_cast<int>(posts.size()) > limit) {
            resp->set_next_page_token(
                SeqToken(page_tokens_, "private-posts", posts[limit - 1][7].as<int64_t>()));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::CreatePrivatePost(Ctx* ctx, const v1::CreatePrivatePostRequest* req,
                                                 v1::PrivatePost* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->thread_id())) return PrivateNotFound();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          auto t = tx.exec_params(
              "SELECT patient_id::text, practitioner_user_id::text FROM forum.private_threads "
              "WHERE id = $1::uuid FOR UPDATE",
              req->thread_id());
          if (t.empty()) return PrivateNotFound();
          std::string patient = t[0][0].as<std::string>(), doctor = t[0][1].as<std::string>();
          if (caller->id() != patient && caller->id() != doctor) {
            // A platform admin sees the thread but does not take part in it.
            return st::PermissionDenied("FORBIDDEN",
                                        "Only the patient and the practitioner post here.");
          }
          std::string html = RenderMarkdown(req->body(), {Trust::kNew});
          auto p = tx.exec_params(
              std::string("INSERT INTO forum.private_posts AS pp (thread_id, author_id, "
                          "author_display_name, body_markdown, body_html) VALUES ($1::uuid, "
                          "$2::uuid, $3, $4, $5) RETURNING ") +
                  kPrivatePostCols +
                  ", to_char(pp.created_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
              req->thread_id(), caller->id(), me.display_name, req->body(), html);
          ReadPrivatePost(p[0], resp);
          tx.exec_params(
              "UPDATE forum.private_threads SET post_count = post_count + 1, "
              "last_post_at = now() WHERE id = $1::uuid",
              req->thread_id());
          tx.exec_params(
              "INSERT INTO forum.audit_log (actor_id, action, private_thread_id, "
              "client_ip, request_id) VALUES ($1::uuid, 'post', $2::uuid, $3, $4)",
              caller->id(), req->thread_id(), scope.client_ip(), scope.request_id());
          json payload = {{"private_thread_id", req->thread_id()},
                          {"post_id", resp->id()},
                          {"author_id", caller->id()},
                          {"recipient_user_id", caller->id() == patient ? doctor : patient},
                          {"created_at", p[0][8].as<std::string>()}};
          outbox::Enqueue(tx, "forum", "forum.private_post_created", req->thread_id(),
                          payload.dump());
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ moderation

grpc::Status ForumServiceImpl::FlagPost(Ctx* ctx, const v1::FlagPostRequest* req,
                                        v1::FlagPostResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string reason = FlagReasonName(req->reason());
    if (reason.empty()) v.push_back({"reason", "is required"});
    std::string detail = validate::Trim(req->detail());
    if (req->reason() == v1::FLAG_REASON_OTHER && detail.empty()) {
      v.push_back({"detail", "is required when the reason is other"});
    }
    if (validate::CodePoints(detail) > kMaxReason) {
      v.push_back({"detail", "must be at most 500 characters"});
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post post;
          std::string thread_id;
          if (auto ls = LoadPost(tx, *caller, req->post_id(), &post, &thread_id); !ls.ok()) {
            return ls;
          }
          if (post.status() != v1::POST_STATUS_VISIBLE && post.status() != v1::POST_STATUS_HIDDEN) {
            return st::Conflict("POST_NOT_FLAGGABLE", "This post cannot be flagged.");
          }
          if (post.author_id() == caller->id()) {
            return st::PermissionDenied("OWN_POST", "You cannot flag your own post.");
          }
          auto m = tx.exec_params(
              "SELECT coalesce((SELECT approved_posts FROM forum.members WHERE user_id = "
              "$1::uuid), 0)",
              caller->id());
          int weight = FlagWeight(TrustOf(m[0][0].as<int>()));
          auto f = tx.exec_params(
              "INSERT INTO forum.flags (post_id, reporter_id, reason, detail, weight) VALUES "
              "($1::uuid, $2::uuid, $3, $4, $5) ON CONFLICT (post_id, reporter_id) DO NOTHING "
              "RETURNING id::text",
              req->post_id(), caller->id(), reason, detail, weight);
          if (f.empty()) {
            return st::Conflict("ALREADY_FLAGGED", "You have already flagged this post.");
          }
          auto p = tx.exec_params(
              "UPDATE forum.posts SET flag_weight = flag_weight + $2, "
              "queue_reason = coalesce(queue_reason, 'flagged'), queued_at = coalesce(queued_at, "
              "now()), status = CASE WHEN status = 'visible' AND flag_weight + $2 >= $3 THEN "
              "'hidden' ELSE status END WHERE id = $1::uuid RETURNING status",
              req->post_id(), weight, config_.flag_hide_threshold);
          std::string status = p[0][0].as<std::string>();
          if (status == "hidden" && post.status() == v1::POST_STATUS_VISIBLE) {
            RecountReplies(tx, thread_id);
            log::Info("post_hidden_by_flags", {{"post_id", req->post_id()}});
          }
          resp->set_id(f[0][0].as<std::string>());
          resp->set_post_status(StatusOf(status));
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::GetModerationQueue(Ctx* ctx,
                                                  const v1::GetModerationQueueRequest* req,
                                                  v1::GetModerationQueueResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    if (!req->category_id().empty() && !validate::ValidUuid(req->category_id())) {
      return st::ValidationFailed({{"category_id", "must be a UUID"}});
    }
    int limit = Limit(req->limit(), 20, 100);
    auto offset = OffsetFromToken(page_tokens_, "moderation-queue", req->page_token());
    if (!offset.ok()) return offset.status();
    absl::Status s =
        pg::WithTransaction(*pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              Bind(std::string("SELECT ") + kPostCols + kPostFrom +
                       "WHERE p.queue_reason IS NOT NULL AND ($1 = '' OR t.category_id = "
                       "nullif($1, '')::uuid) ORDER BY p.queued_at, p.seq LIMIT $2 OFFSET $3",
                   *caller),
              req->category_id(), limit + 1, *offset);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            const auto& r = rows[i];
            auto* item = resp->add_items();
            ReadPost(
                r, *caller, [this](int n) { return TrustOf(n); }, item->mutable_post());
            item->set_queue_reason(QueueReasonOf(r[17].as<std::string>()));
            item->set_flag_weight(r[18].as<int>());
            if (!r[19].is_null()) item->mutable_queued_at()->set_seconds(r[19].as<int64_t>());
            item->set_thread_title(r[20].as<std::string>());
            item->set_category_id(r[21].as<std::string>());
            for (const auto& f :
                 tx.exec_params("SELECT reporter_id::text, reason, detail, extract(epoch from "
                                "created_at)::bigint FROM forum.flags WHERE post_id = $1::uuid AND "
                                "resolved_at IS NULL ORDER BY created_at",
                                item->post().id())) {
              auto* flag = item->add_flags();
              flag->set_reporter_id(f[0].as<std::string>());
              flag->set_reason(FlagReasonOf(f[1].as<std::string>()));
              flag->set_detail(f[2].as<std::string>());
              flag->mutable_created_at()->set_seconds(f[3].as<int64_t>());
            }
          }
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(
                OffsetToken(page_tokens_, "moderation-queue", *offset + limit));
          }
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    std::vector<v1::Post*> posts;
    for (auto& item : *resp->mutable_items()) posts.push_back(item.mutable_post());
    AddBadges(scope.request_id(), posts);
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::ModeratePost(Ctx* ctx, const v1::ModeratePostRequest* req,
                                            v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    std::string action, to;
    switch (req->action()) {
      case v1::MODERATION_ACTION_APPROVE:
        action = "approve", to = "visible";
        break;
      case v1::MODERATION_ACTION_HIDE:
        action = "hide", to = "hidden";
        break;
      case v1::MODERATION_ACTION_DELETE:
        action = "delete", to = "deleted";
        break;
      case v1::MODERATION_ACTION_RESTORE:
        action = "restore", to = "visible";
        break;
      default:
        return st::ValidationFailed({{"action", "must be one of: approve, hide, delete, restore"}});
    }
    auto reason = RequireReason(req->reason());
    if (!reason.ok()) return reason.status();
    absl::Status s =
        pg::WithTransaction(*pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Post post;
          std::string thread_id;
          if (auto ls = LoadPost(tx, *caller, req->post_id(), &post, &thread_id); !ls.ok()) {
            return ls;
          }
          auto before = tx.exec_params(
              "SELECT status FROM forum.posts WHERE id = $1::uuid FOR UPDATE", req->post_id());
          std::string was = before[0][0].as<std::string>();
          if (action == "restore" && was != "hidden" && was != "deleted") {
            return st::Conflict("NOTHING_TO_RESTORE", "Only hidden or deleted posts are restored.");
          }
          tx.exec_params(
              "UPDATE forum.posts SET status = $2, queue_reason = NULL, queued_at = "
              "NULL, flag_weight = 0 WHERE id = $1::uuid",
              req->post_id(), to);
          tx.exec_params(
              "UPDATE forum.flags SET resolved_at = now() WHERE post_id = $1::uuid "
              "AND resolved_at IS NULL",
              req->post_id());
          if (to != "visible") {
            tx.exec_params(
                "UPDATE forum.threads SET accepted_post_id = NULL WHERE "
                "accepted_post_id = $1::uuid",
                req->post_id());
          }
          if (was == "pending_review" && to == "visible") {
            tx.exec_params(
                "UPDATE forum.members SET approved_posts = approved_posts + 1 WHERE "
                "user_id = $1::uuid",
                post.author_id());
            tx.exec_params("UPDATE forum.threads SET last_activity_at = now() WHERE id = $1::uuid",
                           thread_id);
            if (post.depth() > 0) EmitReplyCreated(tx, req->post_id());
          }
          RecountReplies(tx, thread_id);
          EmitModeration(tx, action, req->post_id(), thread_id, post.author_id(), caller->id(),
                         *reason, "");
          return LoadPost(tx, *caller, req->post_id(), resp);
        });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp});
    return absl::OkStatus();
  });
}

// Lock/unlock and pin/unpin: a moderator sets one flag of a thread, with a reason, logged
// and announced to the author.
grpc::Status ForumServiceImpl::SetThreadFlag(Ctx* ctx, const std::string& thread_id,
                                             const char* column, bool on, const char* action_on,
                                             const char* action_off, const std::string& reason_in,
                                             v1::Thread* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    auto reason = RequireReason(reason_in);
    if (!reason.ok()) return reason.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          v1::Thread thread;
          if (auto ls = LoadThread(tx, *caller, thread_id, &thread); !ls.ok()) return ls;
          tx.exec_params(
              std::string("UPDATE forum.threads SET ") + column + " = $2 WHERE id = $1::uuid",
              thread.id(), on);
          EmitModeration(tx, on ? action_on : action_off, "", thread.id(), thread.author_id(),
                         caller->id(), *reason, "");
          return LoadThread(tx, *caller, thread.id(), resp);
        });
  });
}

grpc::Status ForumServiceImpl::LockThread(Ctx* ctx, const v1::LockThreadRequest* req,
                                          v1::Thread* resp) {
  return SetThreadFlag(ctx, req->thread_id(), "locked", req->locked(), "lock", "unlock",
                       req->reason(), resp);
}

grpc::Status ForumServiceImpl::PinThread(Ctx* ctx, const v1::PinThreadRequest* req,
                                         v1::Thread* resp) {
  return SetThreadFlag(ctx, req->thread_id(), "pinned", req->pinned(), "pin", "unpin",
                       req->reason(), resp);
}

grpc::Status ForumServiceImpl::SuspendUser(Ctx* ctx, const v1::SuspendUserRequest* req,
                                           v1::Suspension* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->user_id())) v.push_back({"user_id", "must be a UUID"});
    if (req->duration_seconds() < 0 || req->duration_seconds() > kMaxSuspensionSeconds) {
      v.push_back({"duration_seconds", "must be 0 (lift) to 31536000 (a year)"});
    }
    if (req->user_id() == caller->id()) v.push_back({"user_id", "cannot be yourself"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    auto reason = RequireReason(req->reason());
    if (!reason.ok()) return reason.status();
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          EnsureMember(tx, req->user_id(), "");
          bool lift = req->duration_seconds() == 0;
          auto r = tx.exec_params(
              "UPDATE forum.members SET suspended_until = CASE WHEN $2 = 0 THEN NULL ELSE now() + "
              "make_interval(secs => $2) END, suspension_reason = $3, suspended_by = $4::uuid, "
              "suspended_at = now() WHERE user_id = $1::uuid RETURNING extract(epoch from "
              "suspended_until)::bigint, to_char(suspended_until AT TIME ZONE 'UTC', "
              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), extract(epoch from suspended_at)::bigint",
              req->user_id(), req->duration_seconds(), *reason, caller->id());
          resp->set_user_id(req->user_id());
          if (!r[0][0].is_null()) resp->mutable_until()->set_seconds(r[0][0].as<int64_t>());
          resp->set_reason(*reason);
          resp->set_moderator_id(caller->id());
          resp->mutable_created_at()->set_seconds(r[0][2].as<int64_t>());
          EmitModeration(tx, lift ? "unsuspend" : "suspend", "", "", req->user_id(), caller->id(),
                         *reason, lift ? "" : r[0][1].as<std::string>());
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::SetWatchedWords(Ctx* ctx, const v1::SetWatchedWordsRequest* req,
                                               v1::WatchedWordList* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    std::vector<st::Violation> v;
    if (req->words_size() > kMaxWatchedWords) v.push_back({"words", "at most 500 words"});
    std::map<std::string, std::string> words;
    for (int i = 0; i < req->words_size() && v.empty(); ++i) {
      const auto& w = req->words(i);
      std::string word = validate::Trim(w.word());
      for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string field = "words[" + std::to_string(i) + "]";
      if (word.empty() || validate::CodePoints(word) > 100) {
        v.push_back({field + ".word", "must be 1-100 characters"});
      }
      if (w.action() == v1::WATCHED_WORD_ACTION_UNSPECIFIED) {
        v.push_back({field + ".action", "must be block or review"});
      }
      words[word] = w.action() == v1::WATCHED_WORD_ACTION_BLOCK ? "block" : "review";
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          tx.exec("DELETE FROM forum.watched_words");
          for (const auto& [word, action] : words) {
            tx.exec_params(
                "INSERT INTO forum.watched_words (word, action, updated_by) VALUES "
                "($1, $2, $3::uuid)",
                word, action, caller->id());
          }
          for (const auto& [word, action] : words) {
            auto* w = resp->add_items();
            w->set_word(word);
            w->set_action(action == "block" ? v1::WATCHED_WORD_ACTION_BLOCK
                                            : v1::WATCHED_WORD_ACTION_REVIEW);
          }
          resp->mutable_updated_at()->set_seconds(
              tx.exec("SELECT extract(epoch from now())::bigint")[0][0].as<int64_t>());
          return absl::OkStatus();
        });
  });
}

grpc::Status ForumServiceImpl::ListWatchedWords(Ctx* ctx, const v1::ListWatchedWordsRequest* req,
                                                v1::WatchedWordList* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->moderator) return NotModerator();
    auto offset = OffsetFromToken(page_tokens_, "watched-words", req->page_token());
    if (!offset.ok()) return offset.status();
    int limit = Limit(req->limit(), 20, 100);
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT word, action, extract(epoch from updated_at)::bigint, (SELECT "
              "extract(epoch from max(updated_at))::bigint FROM forum.watched_words) FROM "
              "forum.watched_words ORDER BY word OFFSET $1 LIMIT $2",
              *offset, limit + 1);
          if (static_cast<int>(rows.size()) > limit)
            resp->set_next_page_token(OffsetToken(page_tokens_, "watched-words", *offset + limit));
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            const auto& r = rows[i];
            if (!r[3].is_null()) resp->mutable_updated_at()->set_seconds(r[3].as<int64_t>());
            auto* w = resp->add_items();
            w->set_word(r[0].as<std::string>());
            w->set_action(r[1].as<std::string>() == "block" ? v1::WATCHED_WORD_ACTION_BLOCK
                                                            : v1::WATCHED_WORD_ACTION_REVIEW);
            if (r[2].as<int64_t>() > resp->updated_at().seconds()) {
              resp->mutable_updated_at()->set_seconds(r[2].as<int64_t>());
            }
          }
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ search

grpc::Status ForumServiceImpl::Search(Ctx* ctx, const v1::SearchRequest* req,
                                      v1::SearchResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    std::string q = validate::Trim(req->q());
    std::vector<st::Violation> v;
    if (q.empty()) v.push_back({"q", "is required"});
    if (validate::CodePoints(q) > 200) v.push_back({"q", "must be at most 200 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = Limit(req->limit(), 20, 50);
    auto offset = OffsetFromToken(page_tokens_, "search", req->page_token());
    if (!offset.ok()) return offset.status();
    std::string category = !req->category_id().empty() ? req->category_id() : req->category();
    std::string tag = validate::Trim(req->tag());
    for (auto& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Ordinary readers find visible posts of visible threads; moderators also hidden ones.
    // Private threads live in other tables and are never searched.
    std::string statuses = caller->moderator ? "{visible,hidden}" : "{visible}";
    return pg::WithTransaction(
        *pool_, caller->subject(), [&](transaction_base& tx) -> absl::Status {
          std::string category_id;
          if (!category.empty()) {
            auto c = tx.exec_params(
                "SELECT id::text FROM forum.categories WHERE id::text = $1 OR slug = $1", category);
            if (c.empty()) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
            category_id = c[0][0].as<std::string>();
          }
          // Matches are filtered and ranked on the narrow forum.post_search rows (with
          // copies of the thread's category and status); only the page is joined to
          // threads and posts.
          auto rows = tx.exec_params(
              "WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q), hits AS ("
              "SELECT p.post_id AS id, p.thread_id, p.author_id, p.created_at, "
              "ts_rank(p.search, q.q) AS rank FROM q, forum.post_search p "
              "WHERE p.search @@ q.q AND p.status = ANY($2::text[]) AND p.thread_status = "
              "ANY($2::text[]) AND ($3 = '' OR p.category_id = nullif($3, '')::uuid) AND "
              "($4 = '' OR EXISTS (SELECT 1 FROM forum.threads t WHERE t.id = p.thread_id AND "
              "t.tags @> ARRAY[$4]::text[])) "
              "ORDER BY rank DESC, p.created_at DESC, p.post_id LIMIT $5 OFFSET $6) "
              "SELECT h.thread_id::text, h.id::text, t.title, t.category_id::text, "
              "ts_headline('english', b.body_text, q.q, 'StartSel=\"\x02\", StopSel=\"\x03\", "
              "MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"'), h.rank, "
              "coalesce(m.display_name, ''), extract(epoch from h.created_at)::bigint "
              "FROM hits h JOIN forum.threads t ON t.id = h.thread_id JOIN forum.posts b ON b.id = "
              "h.id CROSS JOIN q "
              "LEFT JOIN forum.members m ON m.user_id = h.author_id "
              "ORDER BY h.rank DESC, h.created_at DESC, h.id",
              q, statuses, category_id, tag, limit + 1, *offset);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            const auto& r = rows[i];
            auto* item = resp->add_items();
            item->set_thread_id(r[0].as<std::string>());
            item->set_post_id(r[1].as<std::string>());
            item->set_thread_title(r[2].as<std::string>());
            item->set_category_id(r[3].as<std::string>());
            // Escape everything, then turn the private markers into <mark>.
            std::string snippet = EscapeHtml(r[4].as<std::string>());
            for (auto [from, to] : {std::pair<char, const char*>{'\x02', "<mark>"},
                                    std::pair<char, const char*>{'\x03', "</mark>"}}) {
              for (size_t p = snippet.find(from); p != std::string::npos;
                   p = snippet.find(from, p)) {
                snippet.replace(p, 1, to);
              }
            }
            item->set_snippet_html(snippet);
            item->set_rank(r[5].as<float>());
            item->set_author_display_name(r[6].as<std::string>());
            item->mutable_created_at()->set_seconds(r[7].as<int64_t>());
          }
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(OffsetToken(page_tokens_, "search", *offset + limit));
          }
          return absl::OkStatus();
        });
  });
}

}  // namespace healthtech::forum
