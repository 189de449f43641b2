// Private consultations (and their audit rows) and search.
#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::forum::storage {
namespace {

PrivateThread ReadPrivateThread(const pqxx::row& r) {
  PrivateThread t;
  t.id = r["id"].as<std::string>();
  t.patient_id = r["patient_id"].as<std::string>();
  t.practitioner_id = r["practitioner_id"].as<std::string>();
  t.practitioner_user_id = r["practitioner_user_id"].as<std::string>();
  t.practitioner_display_name = r["practitioner_display_name"].as<std::string>();
  if (!r["appointment_id"].is_null()) t.appointment_id = r["appointment_id"].as<std::string>();
  t.subject = r["subject"].as<std::string>();
  t.post_count = r["post_count"].as<int>();
  t.last_post_at = r["last_post_s"].as<int64_t>();
  t.created_at = r["created_s"].as<int64_t>();
  return t;
}

PrivatePost ReadPrivatePost(const pqxx::row& r) {
  PrivatePost p;
  p.id = r["id"].as<std::string>();
  p.thread_id = r["thread_id"].as<std::string>();
  p.author_id = r["author_id"].as<std::string>();
  p.author_display_name = r["author_display_name"].as<std::string>();
  p.body_markdown = r["body_markdown"].as<std::string>();
  p.body_html = r["body_html"].as<std::string>();
  p.created_at = r["created_s"].as<int64_t>();
  p.seq = r["seq"].as<int64_t>();
  return p;
}

}  // namespace

std::string InsertPrivateThread(Tx& tx, const NewPrivateThread& t) {
  return pg::Exec(tx, "private/insert_thread", t.patient_id, t.practitioner_id,
                  t.practitioner_user_id, t.practitioner_display_name, t.appointment_id,
                  t.subject)[0]["id"]
      .as<std::string>();
}

CreatedPost InsertFirstPrivatePost(Tx& tx, const std::string& thread_id,
                                   const std::string& author_id, const std::string& author_name,
                                   const std::string& markdown, const std::string& html) {
  auto r = pg::Exec(tx, "private/insert_first_post", thread_id, author_id, author_name, markdown,
                    html)[0];
  return {r["id"].as<std::string>(), r["created_iso"].as<std::string>()};
}

PrivatePost InsertPrivatePost(Tx& tx, const std::string& thread_id, const std::string& author_id,
                              const std::string& author_name, const std::string& markdown,
                              const std::string& html) {
  auto r =
      pg::Exec(tx, "private/insert_post", thread_id, author_id, author_name, markdown, html)[0];
  PrivatePost p = ReadPrivatePost(r);
  p.created_iso = r["created_iso"].as<std::string>();
  return p;
}

std::optional<PrivateThread> FindPrivateThread(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "private/get", id);
  if (rows.empty()) return std::nullopt;
  return ReadPrivateThread(rows[0]);
}

std::vector<PrivateThread> ListMyPrivateThreads(Tx& tx, const std::string& me, int limit,
                                                int offset) {
  std::vector<PrivateThread> out;
  for (const auto& r : pg::Exec(tx, "private/list_mine", me, limit, offset))
    out.push_back(ReadPrivateThread(r));
  return out;
}

std::vector<PrivatePost> PrivatePosts(Tx& tx, const std::string& thread_id, int64_t after,
                                      int limit) {
  std::vector<PrivatePost> out;
  for (const auto& r : pg::Exec(tx, "private/posts", thread_id, after, limit))
    out.push_back(ReadPrivatePost(r));
  return out;
}

std::optional<Participants> LockPrivateThread(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "private/lock", id);
  if (rows.empty()) return std::nullopt;
  return Participants{rows[0]["patient_id"].as<std::string>(),
                      rows[0]["practitioner_user_id"].as<std::string>()};
}

void CountPrivatePost(Tx& tx, const std::string& thread_id) {
  pg::Exec(tx, "private/count_post", thread_id);
}

void AuditCreate(Tx& tx, const std::string& actor, const std::string& thread_id, const Origin& o) {
  pg::Exec(tx, "private/audit_create", actor, thread_id, o.client_ip, o.request_id);
}

void AuditList(Tx& tx, const std::string& actor, const std::vector<std::string>& thread_ids,
               const Origin& o) {
  pg::Exec(tx, "private/audit_list", actor, pg::TextArray(thread_ids), o.client_ip, o.request_id);
}

void AuditRead(Tx& tx, const std::string& actor, const std::string& action,
               const std::string& thread_id, const std::string& reason, const Origin& o) {
  pg::Exec(tx, "private/audit_read", actor, action, thread_id, reason, o.client_ip, o.request_id);
}

void AuditPost(Tx& tx, const std::string& actor, const std::string& thread_id, const Origin& o) {
  pg::Exec(tx, "private/audit_post", actor, thread_id, o.client_ip, o.request_id);
}

// ------------------------------------------------------------------ search

std::vector<SearchHit> Search(Tx& tx, const SearchQuery& q) {
  std::vector<SearchHit> out;
  for (const auto& r :
       pg::Exec(tx, "search/posts", q.q, q.statuses, q.category_id, q.tag, q.limit, q.offset)) {
    SearchHit h;
    h.thread_id = r["thread_id"].as<std::string>();
    h.post_id = r["post_id"].as<std::string>();
    h.thread_title = r["title"].as<std::string>();
    h.category_id = r["category_id"].as<std::string>();
    h.headline = r["headline"].as<std::string>();
    h.rank = r["rank"].as<float>();
    h.author_name = r["author_name"].as<std::string>();
    h.created_at = r["created_s"].as<int64_t>();
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace healthtech::forum::storage
