#include "domain/posting.h"

#include <algorithm>
#include <cctype>

#include "domain/render.h"
#include "healthtech/status/status.h"

namespace healthtech::forum::domain {

namespace st = status;

absl::Status Suspended(const std::string& until) {
  return st::PermissionDenied("FORUM_SUSPENDED",
                              "You are suspended from posting in the forum "
                              "until " +
                                  until + ".");
}

absl::Status MayPostIn(const std::string& who_can_post, bool verified_practitioner) {
  if (who_can_post == "moderators") {
    return st::PermissionDenied("CATEGORY_RESTRICTED", "Only moderators post in this category.");
  }
  if (who_can_post == "verified_practitioners" && !verified_practitioner) {
    return st::PermissionDenied("CATEGORY_RESTRICTED",
                                "Only verified practitioners post in this category.");
  }
  return absl::OkStatus();
}

absl::Status SlowMode(int wait_seconds) {
  int wait = std::max(1, wait_seconds);
  return st::ResourceExhausted(
      "SLOW_MODE",
      "This category is in slow mode: wait " + std::to_string(wait) + " s before posting.", wait);
}

absl::StatusOr<std::string> WatchedWordVerdict(const std::string& text,
                                               const std::vector<WatchedWord>& words) {
  std::string verdict;
  for (const auto& w : words) {
    if (!ContainsWord(text, w.word)) continue;
    if (w.action == "block") {
      return st::InvalidArgument("WATCHED_WORD",
                                 "Your post contains a word this forum does not allow.",
                                 {{"body", "contains a blocked word: " + w.word}});
    }
    verdict = "review";
  }
  return verdict;
}

Gate GateFor(bool moderator, const std::string& verdict, bool first_post_approval,
             int approved_posts) {
  Gate gate;
  if (moderator) return gate;
  if (verdict == "review") {
    gate.status = "pending_review";
    gate.queue_reason = "watched_word";
  } else if (first_post_approval && approved_posts == 0) {
    gate.status = "pending_review";
    gate.queue_reason = "first_post";
  }
  return gate;
}

absl::Status MayRestore(const std::string& status) {
  if (status != "hidden" && status != "deleted") {
    return st::Conflict("NOTHING_TO_RESTORE", "Only hidden or deleted posts are restored.");
  }
  return absl::OkStatus();
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

}  // namespace healthtech::forum::domain
