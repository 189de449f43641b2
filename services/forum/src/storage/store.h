#pragma once
// The only code of forum-service that runs SQL. Every statement is a file of sql/, embedded
// at build time and prepared by name on each connection; results come back as structs with
// named fields, read from columns by name.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::forum::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// Who reads: moderators see every post; others visible and deleted ones and their own
// pending ones. `me` is the caller's id (a UUID) or "".
struct Viewer {
  bool moderator = false;
  std::string me;
};

// An event for the outbox, in this transaction.
void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json);

// ------------------------------------------------------------------ members

void EnsureMember(Tx& tx, const std::string& user_id, const std::string& display_name);
struct Poster {
  int approved_posts = 0;
  bool suspended = false;
  std::string suspended_until;  // ISO 8601, "" when never suspended
};
// The poster's member row, locked for the post being written (it must exist).
Poster LockPoster(Tx& tx, const std::string& user_id);
void CountApprovedPost(Tx& tx, const std::string& user_id);
int ApprovedPosts(Tx& tx, const std::string& user_id);
struct Suspension {
  std::optional<int64_t> until;  // epoch seconds; none when lifted
  std::string until_iso;
  int64_t suspended_at = 0;
};
Suspension Suspend(Tx& tx, const std::string& user_id, int seconds, const std::string& reason,
                   const std::string& moderator_id);

// ------------------------------------------------------------------ categories

struct Category {
  std::string id, name, slug, description, who_can_post;
  bool first_post_approval = false;
  int slow_mode_seconds = 0, position = 0, thread_count = 0;
  int64_t created_at = 0;
};
struct PostingRules {
  std::string who_can_post;
  bool first_post_approval = false;
  int slow_mode_seconds = 0;
};
std::optional<PostingRules> FindPostingRules(Tx& tx, const std::string& category_id);
// Seconds `author_id` still waits before posting in the category again (slow mode), if any.
std::optional<int> SlowModeWait(Tx& tx, const std::string& author_id,
                                const std::string& category_id, int slow_mode_seconds);
bool CategoryExists(Tx& tx, const std::string& name, const std::string& slug);
struct NewCategory {
  std::string name, slug, description, who_can_post;
  bool first_post_approval = false;
  int slow_mode_seconds = 0, position = 0;
  std::string created_by;
};
std::string InsertCategory(Tx& tx, const NewCategory& c);
Category GetCategory(Tx& tx, const std::string& id);
std::vector<Category> ListCategories(Tx& tx, int offset, int limit);
// A category's id from its id or slug.
std::optional<std::string> ResolveCategory(Tx& tx, const std::string& id_or_slug);

// ------------------------------------------------------------------ threads

struct Thread {
  std::string id, category_id, title;
  std::vector<std::string> tags;
  std::string author_id, author_name, status;  // status: the opening post's
  bool pinned = false, locked = false;
  std::optional<std::string> accepted_post_id;
  int reply_count = 0, vote_score = 0;
  bool following = false;
  std::string excerpt_text;  // the opening post's text, at most 400 characters
  int64_t last_activity_at = 0, created_at = 0;
};
std::optional<Thread> FindThread(Tx& tx, const std::string& id, const Viewer& viewer);
enum class ThreadOrder { kLatest, kTop, kUnanswered };
struct ThreadQuery {
  ThreadOrder order = ThreadOrder::kLatest;
  std::string category_id, tag;  // "" for any
  int limit = 20, offset = 0;
};
std::vector<Thread> ListThreads(Tx& tx, const ThreadQuery& q, const std::string& me);
std::string InsertThread(Tx& tx, const std::string& category_id, const std::string& title,
                         const std::vector<std::string>& tags, const std::string& author_id);
void FollowOwnThread(Tx& tx, const std::string& thread_id, const std::string& user_id);
void Follow(Tx& tx, const std::string& thread_id, const std::string& user_id);
void Unfollow(Tx& tx, const std::string& thread_id, const std::string& user_id);
// Locks the thread; whether it is locked for replies.
bool LockThread(Tx& tx, const std::string& thread_id);
void BumpThread(Tx& tx, const std::string& thread_id);
void TouchThread(Tx& tx, const std::string& thread_id);
void RecountReplies(Tx& tx, const std::string& thread_id);
void ClearAcceptedAnswer(Tx& tx, const std::string& post_id);
void AcceptAnswer(Tx& tx, const std::string& thread_id, const std::string& post_id);
// `column` is "locked" or "pinned".
void SetThreadFlag(Tx& tx, const std::string& column, const std::string& thread_id, bool on);

// ------------------------------------------------------------------ posts

struct Post {
  std::string id, thread_id;
  std::optional<std::string> parent_post_id;
  int depth = 0;
  std::string author_id, author_name, body_markdown, body_html;
  int author_approved_posts = 0, vote_score = 0, my_vote = 0;
  std::string status;
  bool accepted = false;
  int64_t created_at = 0;
  std::optional<int64_t> edited_at;
  int64_t seq = 0, top_seq = 0;  // top_seq: the top-level reply the post is under
  std::optional<std::string> queue_reason;
  int flag_weight = 0;
  std::optional<int64_t> queued_at;
  std::string thread_title, category_id;
};
std::optional<Post> FindPost(Tx& tx, const std::string& id, const Viewer& viewer);
// A row of the thread view: a post with its thread's columns.
struct ThreadViewRow {
  Post post;
  Thread thread;
};
// The opening post and a page of top-level replies after `after` with their subtrees, in tree
// order; one read in one round trip as `subject`.
absl::StatusOr<std::vector<ThreadViewRow>> ThreadView(pg::Pool& pool, const pg::Subject& subject,
                                                      const std::string& thread_id, int64_t after,
                                                      int limit, const Viewer& viewer);
struct Parent {
  std::string id, path, status;
  int depth = 0;
};
std::optional<Parent> FindParent(Tx& tx, const std::string& post_id, const std::string& thread_id,
                                 const Viewer& viewer);
struct NewPost {
  std::string thread_id, parent_id, parent_path;  // parent: "" and "{}" for a top-level reply
  std::string author_id, body_markdown, body_html, body_text, status, queue_reason;
  std::string title, tags;  // the opening post's search document
};
void InsertOpeningPost(Tx& tx, const NewPost& p);
std::string OpeningPostId(Tx& tx, const std::string& thread_id);
std::string InsertReply(Tx& tx, const NewPost& p);
struct ReplyEvent {
  std::string thread_id, title;
  std::optional<std::string> parent_post_id, parent_author_id;
  std::string author_id, author_name, category_id, created_iso;
  std::vector<std::string> follower_ids;
};
std::optional<ReplyEvent> FindReplyEvent(Tx& tx, const std::string& post_id);
struct EditTarget {
  std::string status, body_markdown;
  bool in_window = false, opening = false;
  std::string title, tags;
  int author_approved_posts = 0;
};
EditTarget LockForEdit(Tx& tx, const std::string& post_id, int edit_window_seconds);
void AddEdit(Tx& tx, const std::string& post_id, const std::string& previous_markdown,
             const std::string& edited_by);
struct NewBody {
  std::string markdown, html, text, title, tags;
  bool review = false;
};
void UpdateBody(Tx& tx, const std::string& post_id, const NewBody& b);
struct PostEdit {
  std::string previous_markdown;
  double edited_at = 0;
  int author_approved_posts = 0;
};
std::vector<PostEdit> ListEdits(Tx& tx, const std::string& post_id, int offset, int limit);
void DeletePost(Tx& tx, const std::string& post_id);
bool IsVisibleReply(Tx& tx, const std::string& post_id, const std::string& thread_id);

// ------------------------------------------------------------------ votes

std::optional<int> LockVote(Tx& tx, const std::string& post_id, const std::string& user_id);
void DeleteVote(Tx& tx, const std::string& post_id, const std::string& user_id);
void UpsertVote(Tx& tx, const std::string& post_id, const std::string& user_id, int value);
int AddToScore(Tx& tx, const std::string& post_id, int delta);

// ------------------------------------------------------------------ moderation

struct WatchedWord {
  std::string word, action;
  int64_t updated_at = 0;
  std::optional<int64_t> last_updated_at;  // of the whole list
};
std::vector<WatchedWord> WatchedWords(Tx& tx);
void LogModeration(Tx& tx, const std::string& moderator_id, const std::string& action,
                   const std::string& post_id, const std::string& thread_id,
                   const std::string& target_user_id, const std::string& reason,
                   const std::string& until);
std::string NowIso(Tx& tx);
int64_t NowSeconds(Tx& tx);
// The new flag's id; none if the reporter flagged the post before.
std::optional<std::string> InsertFlag(Tx& tx, const std::string& post_id,
                                      const std::string& reporter_id, const std::string& reason,
                                      const std::string& detail, int weight);
// Adds a flag's weight to the post; its status after.
std::string AddFlagWeight(Tx& tx, const std::string& post_id, int weight, int hide_threshold);
std::vector<Post> Queue(Tx& tx, const std::string& category_id, int limit, int offset,
                        const std::string& me);
struct Flag {
  std::string reporter_id, reason, detail;
  int64_t created_at = 0;
};
std::vector<Flag> OpenFlags(Tx& tx, const std::string& post_id);
std::string LockPostStatus(Tx& tx, const std::string& post_id);
void SetPostStatus(Tx& tx, const std::string& post_id, const std::string& status);
void ResolveFlags(Tx& tx, const std::string& post_id);
void ClearWatchedWords(Tx& tx);
void AddWatchedWord(Tx& tx, const std::string& word, const std::string& action,
                    const std::string& updated_by);
std::vector<WatchedWord> ListWatchedWords(Tx& tx, int offset, int limit);

// ------------------------------------------------------------------ private threads

struct PrivateThread {
  std::string id, patient_id, practitioner_id, practitioner_user_id, practitioner_display_name;
  std::optional<std::string> appointment_id;
  std::string subject;
  int post_count = 0;
  int64_t last_post_at = 0, created_at = 0;
};
struct PrivatePost {
  std::string id, thread_id, author_id, author_display_name, body_markdown, body_html;
  int64_t created_at = 0, seq = 0;
  std::string created_iso;  // only from InsertPrivatePost
};
struct NewPrivateThread {
  std::string patient_id, practitioner_id, practitioner_user_id, practitioner_display_name;
  std::string appointment_id, subject;  // appointment: "" for none
};
std::string InsertPrivateThread(Tx& tx, const NewPrivateThread& t);
struct CreatedPost {
  std::string id, created_iso;
};
CreatedPost InsertFirstPrivatePost(Tx& tx, const std::string& thread_id,
                                   const std::string& author_id, const std::string& author_name,
                                   const std::string& markdown, const std::string& html);
PrivatePost InsertPrivatePost(Tx& tx, const std::string& thread_id, const std::string& author_id,
                              const std::string& author_name, const std::string& markdown,
                              const std::string& html);
std::optional<PrivateThread> FindPrivateThread(Tx& tx, const std::string& id);
std::vector<PrivateThread> ListMyPrivateThreads(Tx& tx, const std::string& me, int limit,
                                                int offset);
std::vector<PrivatePost> PrivatePosts(Tx& tx, const std::string& thread_id, int64_t after,
                                      int limit);
struct Participants {
  std::string patient_id, practitioner_user_id;
};
std::optional<Participants> LockPrivateThread(Tx& tx, const std::string& id);
void CountPrivatePost(Tx& tx, const std::string& thread_id);
// Audit rows of private threads (who read or wrote what, from where).
struct Origin {
  std::string client_ip, request_id;
};
void AuditCreate(Tx& tx, const std::string& actor, const std::string& thread_id, const Origin& o);
void AuditList(Tx& tx, const std::string& actor, const std::vector<std::string>& thread_ids,
               const Origin& o);
void AuditRead(Tx& tx, const std::string& actor, const std::string& action,
               const std::string& thread_id, const std::string& reason, const Origin& o);
void AuditPost(Tx& tx, const std::string& actor, const std::string& thread_id, const Origin& o);

// ------------------------------------------------------------------ search

struct SearchQuery {
  std::string q, statuses, category_id, tag;  // statuses: a text[] literal
  int limit = 20, offset = 0;
};
struct SearchHit {
  std::string thread_id, post_id, thread_title, category_id, headline;
  float rank = 0;
  std::string author_name;
  int64_t created_at = 0;
};
std::vector<SearchHit> Search(Tx& tx, const SearchQuery& q);

}  // namespace healthtech::forum::storage
