// forum-service's gRPC class: construction, the caller, badges, and the steps the handlers
// share (the posting gate, events, loading a thread or a post).
#include "handlers/common.h"

namespace healthtech::forum {

storage::Viewer Caller::viewer() const {
  storage::Viewer v;
  v.moderator = moderator;
  // The caller id is a verified token's subject (a UUID); checked all the same.
  v.me = validate::ValidUuid(id()) ? id() : "";
  return v;
}

ForumServiceImpl::ForumServiceImpl(const Config& config, pg::Pool* pool,
                                   std::shared_ptr<grpc::Channel> iam,
                                   std::shared_ptr<grpc::Channel> org,
                                   std::shared_ptr<grpc::Channel> appointment)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience),
      directory_(iam, std::move(org), std::move(appointment), config.internal_token) {
  storage::PrepareStatements(*pool_);
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

absl::StatusOr<std::string> ForumServiceImpl::WatchedWordVerdict(Tx& tx, const std::string& text) {
  std::vector<domain::WatchedWord> words;
  for (auto& w : storage::WatchedWords(tx)) words.push_back({w.word, w.action});
  return domain::WatchedWordVerdict(text, words);
}

absl::StatusOr<ForumServiceImpl::Gate> ForumServiceImpl::CheckPosting(
    Tx& tx, const Caller& caller, const std::string& category_id, const std::string& text,
    const Person& me) {
  Gate gate;
  storage::EnsureMember(tx, caller.id(), me.display_name);
  storage::Poster poster = storage::LockPoster(tx, caller.id());
  int approved = poster.approved_posts;
  gate.trust = TrustOf(approved);
  if (poster.suspended) return domain::Suspended(poster.suspended_until);
  auto rules = storage::FindPostingRules(tx, category_id);
  if (!rules) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
  if (!caller.moderator) {
    if (auto s = domain::MayPostIn(rules->who_can_post, me.verified_practitioner); !s.ok()) {
      return s;
    }
    int slow = rules->slow_mode_seconds;
    if (slow > 0) {
      if (auto wait = storage::SlowModeWait(tx, caller.id(), category_id, slow)) {
        return domain::SlowMode(*wait);
      }
    }
  }
  auto verdict = WatchedWordVerdict(tx, text);
  if (!verdict.ok()) return verdict.status();
  domain::Gate g =
      domain::GateFor(caller.moderator, *verdict, rules->first_post_approval, approved);
  gate.status = g.status;
  gate.queue_reason = g.queue_reason;
  return gate;
}

void ForumServiceImpl::EmitReplyCreated(Tx& tx, const std::string& post_id) {
  auto e = storage::FindReplyEvent(tx, post_id);
  if (!e) return;
  json followers = json::array();
  for (const auto& f : e->follower_ids) followers.push_back(f);
  json payload = {
      {"thread_id", e->thread_id},
      {"thread_title", e->title},
      {"post_id", post_id},
      {"parent_post_id", e->parent_post_id ? json(*e->parent_post_id) : json(nullptr)},
      {"parent_author_id", e->parent_author_id ? json(*e->parent_author_id) : json(nullptr)},
      {"author_id", e->author_id},
      {"author_display_name", e->author_name},
      {"category_id", e->category_id},
      {"follower_ids", followers},
      {"created_at", e->created_iso},
  };
  storage::Emit(tx, "forum.reply_created", e->thread_id, payload.dump());
}

void ForumServiceImpl::EmitModeration(Tx& tx, const std::string& action, const std::string& post_id,
                                      const std::string& thread_id,
                                      const std::string& target_user_id,
                                      const std::string& moderator_id, const std::string& reason,
                                      const std::string& until) {
  storage::LogModeration(tx, moderator_id, action, post_id, thread_id, target_user_id, reason,
                         until);
  json payload = {
      {"action", action},
      {"post_id", post_id.empty() ? json(nullptr) : json(post_id)},
      {"thread_id", thread_id.empty() ? json(nullptr) : json(thread_id)},
      {"target_user_id", target_user_id},
      {"moderator_id", moderator_id},
      {"reason", reason},
      {"until", until.empty() ? json(nullptr) : json(until)},
      {"at", storage::NowIso(tx)},
  };
  storage::Emit(tx, "forum.moderation_action",
                !post_id.empty()     ? post_id
                : !thread_id.empty() ? thread_id
                                     : target_user_id,
                payload.dump());
}

absl::Status ForumServiceImpl::LoadThread(Tx& tx, const Caller& caller, const std::string& id,
                                          v1::Thread* out) {
  if (!validate::ValidUuid(id)) return ThreadNotFound();
  auto thread = storage::FindThread(tx, id, caller.viewer());
  if (!thread) return ThreadNotFound();
  ToProto(*thread, out);
  return absl::OkStatus();
}

absl::Status ForumServiceImpl::LoadPost(Tx& tx, const Caller& caller, const std::string& id,
                                        v1::Post* out, std::string* thread_id) {
  if (!validate::ValidUuid(id)) return PostNotFound();
  auto post = storage::FindPost(tx, id, caller.viewer());
  if (!post) return PostNotFound();
  ToProto(*post, caller.moderator, TrustOf(post->author_approved_posts), out);
  if (thread_id != nullptr) *thread_id = post->thread_id;
  return absl::OkStatus();
}

}  // namespace healthtech::forum
