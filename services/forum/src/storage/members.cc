// Statements, events, members and categories.
#include <map>

#include "healthtech/outbox/relay.h"
#include "storage/store.h"

namespace healthtech::forum {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::forum

namespace healthtech::forum::storage {
namespace {

Category ReadCategory(const pqxx::row& r) {
  Category c;
  c.id = r["id"].as<std::string>();
  c.name = r["name"].as<std::string>();
  c.slug = r["slug"].as<std::string>();
  c.description = r["description"].as<std::string>();
  c.who_can_post = r["who_can_post"].as<std::string>();
  c.first_post_approval = r["first_post_approval"].as<bool>();
  c.slow_mode_seconds = r["slow_mode_seconds"].as<int>();
  c.position = r["position"].as<int>();
  c.thread_count = r["thread_count"].as<int>();
  c.created_at = r["created_s"].as<int64_t>();
  return c;
}

}  // namespace

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    std::string name = path.substr(0, path.size() - 4);  // "posts/find.sql" -> "posts/find"
    pool.Prepare(name, sql);
  }
}

void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json) {
  outbox::Enqueue(tx, "forum", type, aggregate_id, payload_json);
}

// ------------------------------------------------------------------ members

void EnsureMember(Tx& tx, const std::string& user_id, const std::string& display_name) {
  pg::Exec(tx, "members/ensure", user_id, display_name);
}

Poster LockPoster(Tx& tx, const std::string& user_id) {
  auto r = pg::Exec(tx, "members/lock_poster", user_id)[0];
  Poster p;
  p.approved_posts = r["approved_posts"].as<int>();
  p.suspended = !r["suspended"].is_null() && r["suspended"].as<bool>();
  if (p.suspended) p.suspended_until = r["suspended_until"].as<std::string>();
  return p;
}

void CountApprovedPost(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "members/count_approved", user_id);
}

int ApprovedPosts(Tx& tx, const std::string& user_id) {
  return pg::Exec(tx, "members/approved_posts", user_id)[0]["approved_posts"].as<int>();
}

Suspension Suspend(Tx& tx, const std::string& user_id, int seconds, const std::string& reason,
                   const std::string& moderator_id) {
  auto r = pg::Exec(tx, "members/suspend", user_id, seconds, reason, moderator_id)[0];
  Suspension s;
  if (!r["until_s"].is_null()) s.until = r["until_s"].as<int64_t>();
  if (!r["until_iso"].is_null()) s.until_iso = r["until_iso"].as<std::string>();
  s.suspended_at = r["suspended_s"].as<int64_t>();
  return s;
}

// ------------------------------------------------------------------ categories

std::optional<PostingRules> FindPostingRules(Tx& tx, const std::string& category_id) {
  auto rows = pg::Exec(tx, "categories/posting_rules", category_id);
  if (rows.empty()) return std::nullopt;
  PostingRules p;
  p.who_can_post = rows[0]["who_can_post"].as<std::string>();
  p.first_post_approval = rows[0]["first_post_approval"].as<bool>();
  p.slow_mode_seconds = rows[0]["slow_mode_seconds"].as<int>();
  return p;
}

std::optional<int> SlowModeWait(Tx& tx, const std::string& author_id,
                                const std::string& category_id, int slow_mode_seconds) {
  auto rows = pg::Exec(tx, "categories/slow_mode_wait", author_id, category_id, slow_mode_seconds);
  if (rows[0]["wait"].is_null()) return std::nullopt;
  return rows[0]["wait"].as<int>();
}

bool CategoryExists(Tx& tx, const std::string& name, const std::string& slug) {
  return !pg::Exec(tx, "categories/exists", name, slug).empty();
}

std::string InsertCategory(Tx& tx, const NewCategory& c) {
  return pg::Exec(tx, "categories/insert", c.name, c.slug, c.description, c.who_can_post,
                  c.first_post_approval, c.slow_mode_seconds, c.position, c.created_by)[0]["id"]
      .as<std::string>();
}

Category GetCategory(Tx& tx, const std::string& id) {
  return ReadCategory(pg::Exec(tx, "categories/get", id)[0]);
}

std::vector<Category> ListCategories(Tx& tx, int offset, int limit) {
  std::vector<Category> out;
  for (const auto& r : pg::Exec(tx, "categories/list", offset, limit))
    out.push_back(ReadCategory(r));
  return out;
}

std::optional<std::string> ResolveCategory(Tx& tx, const std::string& id_or_slug) {
  auto rows = pg::Exec(tx, "categories/resolve", id_or_slug);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<std::string>();
}

}  // namespace healthtech::forum::storage
