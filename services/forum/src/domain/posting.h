#pragma once
// Who may post where, and what happens to a new post: the rules of the forum with no
// database and no gRPC. Their errors are the RPCs' answers (status/status.h).
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace healthtech::forum::domain {

// A suspended member's answer ("until" in ISO 8601).
absl::Status Suspended(const std::string& until);

// A category's rule of who posts (categories.who_can_post): "everyone",
// "verified_practitioners" or "moderators". Moderators are not asked.
absl::Status MayPostIn(const std::string& who_can_post, bool verified_practitioner);

// Slow mode: the answer when the author must still wait `wait_seconds` (at least 1 s).
absl::Status SlowMode(int wait_seconds);

struct WatchedWord {
  std::string word, action;  // action: "block" or "review"
};
// "" (nothing watched), "review" (hold for a moderator), or INVALID_ARGUMENT for a blocked word.
absl::StatusOr<std::string> WatchedWordVerdict(const std::string& text,
                                               const std::vector<WatchedWord>& words);

// The status a new post gets, and why it is queued ("" when it is visible).
struct Gate {
  std::string status = "visible";
  std::string queue_reason;
};
// Moderators' posts are always visible; a watched word holds a post for review, and so does
// a category's first-post approval for a member with no approved post yet.
Gate GateFor(bool moderator, const std::string& verdict, bool first_post_approval,
             int approved_posts);

// A moderator may restore only a hidden or deleted post.
absl::Status MayRestore(const std::string& status);

// Category slugs: lower-case words of a-z, 0-9 joined by '-', at most 60 characters.
std::string Slugify(const std::string& name);
bool ValidSlug(const std::string& s);

}  // namespace healthtech::forum::domain
