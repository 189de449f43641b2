// Threads, posts and votes.
#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::forum::storage {
namespace {

std::optional<std::string> MaybeText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}
std::optional<int64_t> MaybeInt(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<int64_t>(f.as<int64_t>());
}

// The columns every thread statement shares (threads/find, threads/list_*, threads/view);
// `created` and the status and score come under other names in the thread view.
Thread ReadThread(const pqxx::row& r, const char* id, const char* title, const char* created) {
  Thread t;
  t.id = r[id].as<std::string>();
  t.category_id = r["category_id"].as<std::string>();
  t.title = r[title].as<std::string>();
  t.tags = pg::ParseTextArray(r["tags"].as<std::string>());
  t.author_id = r["author_id"].as<std::string>();
  t.author_name = r["author_name"].as<std::string>();
  t.status = r["status"].as<std::string>();
  t.pinned = r["pinned"].as<bool>();
  t.locked = r["locked"].as<bool>();
  t.accepted_post_id = MaybeText(r["accepted_post_id"]);
  t.reply_count = r["reply_count"].as<int>();
  t.vote_score = r["vote_score"].as<int>();
  t.following = r["following"].as<bool>();
  t.excerpt_text = r["excerpt_text"].as<std::string>();
  t.last_activity_at = r["last_activity_s"].as<int64_t>();
  t.created_at = r[created].as<int64_t>();
  return t;
}
Thread ReadThread(const pqxx::row& r) { return ReadThread(r, "id", "title", "created_s"); }

// The columns of posts/find, moderation/queue and threads/view.
Post ReadPost(const pqxx::row& r) {
  Post p;
  p.id = r["id"].as<std::string>();
  p.thread_id = r["thread_id"].as<std::string>();
  p.parent_post_id = MaybeText(r["parent_post_id"]);
  p.depth = r["depth"].as<int>();
  p.author_id = r["author_id"].as<std::string>();
  p.author_name = r["author_name"].as<std::string>();
  p.body_markdown = r["body_markdown"].as<std::string>();
  p.body_html = r["body_html"].as<std::string>();
  p.author_approved_posts = r["author_approved_posts"].as<int>();
  p.vote_score = r["vote_score"].as<int>();
  p.my_vote = r["my_vote"].as<int>();
  p.status = r["status"].as<std::string>();
  p.accepted = r["accepted"].as<bool>();
  p.created_at = r["created_s"].as<int64_t>();
  p.edited_at = MaybeInt(r["edited_s"]);
  p.seq = r["seq"].as<int64_t>();
  p.top_seq = r["top_seq"].as<int64_t>();
  p.queue_reason = MaybeText(r["queue_reason"]);
  p.flag_weight = r["flag_weight"].as<int>();
  p.queued_at = MaybeInt(r["queued_s"]);
  p.thread_title = r["thread_title"].as<std::string>();
  p.category_id = r["category_id"].as<std::string>();
  return p;
}

const char* ListStatement(ThreadOrder order) {
  switch (order) {
    case ThreadOrder::kTop:
      return "threads/list_top";
    case ThreadOrder::kUnanswered:
      return "threads/list_unanswered";
    case ThreadOrder::kLatest:
      break;
  }
  return "threads/list_latest";
}

}  // namespace

std::vector<Post> Queue(Tx& tx, const std::string& category_id, int limit, int offset,
                        const std::string& me) {
  std::vector<Post> out;
  for (const auto& r : pg::Exec(tx, "moderation/queue", category_id, limit, offset, me))
    out.push_back(ReadPost(r));
  return out;
}

// ------------------------------------------------------------------ threads

std::optional<Thread> FindThread(Tx& tx, const std::string& id, const Viewer& viewer) {
  auto rows = pg::Exec(tx, "threads/find", id, viewer.moderator, viewer.me);
  if (rows.empty()) return std::nullopt;
  return ReadThread(rows[0]);
}

std::vector<Thread> ListThreads(Tx& tx, const ThreadQuery& q, const std::string& me) {
  std::vector<Thread> out;
  for (const auto& r :
       pg::Exec(tx, ListStatement(q.order), q.category_id, q.tag, q.limit, q.offset, me))
    out.push_back(ReadThread(r));
  return out;
}

std::string InsertThread(Tx& tx, const std::string& category_id, const std::string& title,
                         const std::vector<std::string>& tags, const std::string& author_id) {
  return pg::Exec(tx, "threads/insert", category_id, title, pg::TextArray(tags), author_id)[0]["id"]
      .as<std::string>();
}

void FollowOwnThread(Tx& tx, const std::string& thread_id, const std::string& user_id) {
  pg::Exec(tx, "threads/follow_own", thread_id, user_id);
}
void Follow(Tx& tx, const std::string& thread_id, const std::string& user_id) {
  pg::Exec(tx, "threads/follow", thread_id, user_id);
}
void Unfollow(Tx& tx, const std::string& thread_id, const std::string& user_id) {
  pg::Exec(tx, "threads/unfollow", thread_id, user_id);
}

bool LockThread(Tx& tx, const std::string& thread_id) {
  return pg::Exec(tx, "threads/lock", thread_id)[0]["locked"].as<bool>();
}
void BumpThread(Tx& tx, const std::string& thread_id) { pg::Exec(tx, "threads/bump", thread_id); }
void TouchThread(Tx& tx, const std::string& thread_id) { pg::Exec(tx, "threads/touch", thread_id); }
void RecountReplies(Tx& tx, const std::string& thread_id) {
  pg::Exec(tx, "threads/recount_replies", thread_id);
}
void ClearAcceptedAnswer(Tx& tx, const std::string& post_id) {
  pg::Exec(tx, "threads/clear_accepted", post_id);
}
void AcceptAnswer(Tx& tx, const std::string& thread_id, const std::string& post_id) {
  pg::Exec(tx, "threads/accept", thread_id, post_id);
}
void SetThreadFlag(Tx& tx, const std::string& column, const std::string& thread_id, bool on) {
  pg::Exec(tx, "threads/set_" + column, thread_id, on);
}

// ------------------------------------------------------------------ posts

std::optional<Post> FindPost(Tx& tx, const std::string& id, const Viewer& viewer) {
  auto rows = pg::Exec(tx, "posts/find", id, viewer.moderator, viewer.me);
  if (rows.empty()) return std::nullopt;
  return ReadPost(rows[0]);
}

absl::StatusOr<std::vector<ThreadViewRow>> ThreadView(pg::Pool& pool, const pg::Subject& subject,
                                                      const std::string& thread_id, int64_t after,
                                                      int limit, const Viewer& viewer) {
  // One round trip: the caller's RLS settings and the prepared thread view go as one message.
  auto rows = pg::ReadOnce(pool, subject, [&](pqxx::connection& c) {
    return "EXECUTE " + c.quote_name("threads/view") + "(" + c.quote(thread_id) + ", " +
           std::to_string(after) + ", " + std::to_string(limit) + ", " +
           (viewer.moderator ? "true" : "false") + ", " + c.quote(viewer.me) + ")";
  });
  if (!rows.ok()) return rows.status();
  std::vector<ThreadViewRow> out;
  for (const auto& r : *rows) {
    ThreadViewRow v;
    v.post = ReadPost(r);
    v.thread = ReadThread(r, "thread_id", "thread_title", "thread_created_s");
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<Parent> FindParent(Tx& tx, const std::string& post_id, const std::string& thread_id,
                                 const Viewer& viewer) {
  auto rows = pg::Exec(tx, "posts/parent", post_id, thread_id, viewer.moderator, viewer.me);
  if (rows.empty()) return std::nullopt;
  Parent p;
  p.id = rows[0]["id"].as<std::string>();
  p.path = rows[0]["path"].as<std::string>();
  p.depth = rows[0]["depth"].as<int>();
  p.status = rows[0]["status"].as<std::string>();
  return p;
}

void InsertOpeningPost(Tx& tx, const NewPost& p) {
  pg::Exec(tx, "posts/insert_opening", p.thread_id, p.author_id, p.body_markdown, p.body_html,
           p.body_text, p.status, p.queue_reason, p.title, p.tags);
}

std::string OpeningPostId(Tx& tx, const std::string& thread_id) {
  return pg::Exec(tx, "posts/opening_id", thread_id)[0]["id"].as<std::string>();
}

std::string InsertReply(Tx& tx, const NewPost& p) {
  return pg::Exec(tx, "posts/insert_reply", p.thread_id, p.parent_id, p.parent_path, p.author_id,
                  p.body_markdown, p.body_html, p.body_text, p.status, p.queue_reason,
                  std::string())[0]["id"]
      .as<std::string>();
}

std::optional<ReplyEvent> FindReplyEvent(Tx& tx, const std::string& post_id) {
  auto rows = pg::Exec(tx, "posts/reply_event", post_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  ReplyEvent e;
  e.thread_id = r["thread_id"].as<std::string>();
  e.title = r["title"].as<std::string>();
  e.parent_post_id = MaybeText(r["parent_post_id"]);
  e.parent_author_id = MaybeText(r["parent_author_id"]);
  e.author_id = r["author_id"].as<std::string>();
  e.author_name = r["author_name"].as<std::string>();
  e.category_id = r["category_id"].as<std::string>();
  e.created_iso = r["created_iso"].as<std::string>();
  e.follower_ids = pg::ParseTextArray(r["follower_ids"].as<std::string>());
  return e;
}

EditTarget LockForEdit(Tx& tx, const std::string& post_id, int edit_window_seconds) {
  auto r = pg::Exec(tx, "posts/lock_for_edit", post_id, edit_window_seconds)[0];
  EditTarget e;
  e.status = r["status"].as<std::string>();
  e.body_markdown = r["body_markdown"].as<std::string>();
  e.in_window = r["in_window"].as<bool>();
  e.opening = r["opening"].as<bool>();
  e.title = r["title"].as<std::string>();
  e.tags = r["tags"].as<std::string>();
  e.author_approved_posts = r["author_approved_posts"].as<int>();
  return e;
}

void AddEdit(Tx& tx, const std::string& post_id, const std::string& previous_markdown,
             const std::string& edited_by) {
  pg::Exec(tx, "posts/add_edit", post_id, previous_markdown, edited_by);
}

void UpdateBody(Tx& tx, const std::string& post_id, const NewBody& b) {
  pg::Exec(tx, "posts/update_body", post_id, b.markdown, b.html, b.text, b.title, b.tags, b.review);
}

std::vector<PostEdit> ListEdits(Tx& tx, const std::string& post_id, int offset, int limit) {
  std::vector<PostEdit> out;
  for (const auto& r : pg::Exec(tx, "posts/edits", post_id, offset, limit)) {
    PostEdit e;
    e.previous_markdown = r["previous_markdown"].as<std::string>();
    e.edited_at = r["edited_s"].as<double>();
    e.author_approved_posts = r["author_approved_posts"].as<int>();
    out.push_back(std::move(e));
  }
  return out;
}

void DeletePost(Tx& tx, const std::string& post_id) { pg::Exec(tx, "posts/delete", post_id); }

bool IsVisibleReply(Tx& tx, const std::string& post_id, const std::string& thread_id) {
  return !pg::Exec(tx, "posts/visible_reply", post_id, thread_id).empty();
}

// ------------------------------------------------------------------ votes

std::optional<int> LockVote(Tx& tx, const std::string& post_id, const std::string& user_id) {
  auto rows = pg::Exec(tx, "votes/lock", post_id, user_id);
  if (rows.empty()) return std::nullopt;
  return rows[0]["value"].as<int>();
}
void DeleteVote(Tx& tx, const std::string& post_id, const std::string& user_id) {
  pg::Exec(tx, "votes/delete", post_id, user_id);
}
void UpsertVote(Tx& tx, const std::string& post_id, const std::string& user_id, int value) {
  pg::Exec(tx, "votes/upsert", post_id, user_id, value);
}
int AddToScore(Tx& tx, const std::string& post_id, int delta) {
  return pg::Exec(tx, "votes/add_to_score", post_id, delta)[0]["vote_score"].as<int>();
}

}  // namespace healthtech::forum::storage
