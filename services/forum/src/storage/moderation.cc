// Moderation (flags, the queue's flags, post status, the log, watched words).
#include "storage/store.h"

namespace healthtech::forum::storage {

std::vector<WatchedWord> WatchedWords(Tx& tx) {
  std::vector<WatchedWord> out;
  for (const auto& r : pg::Exec(tx, "moderation/watched_words")) {
    WatchedWord w;
    w.word = r["word"].as<std::string>();
    w.action = r["action"].as<std::string>();
    out.push_back(std::move(w));
  }
  return out;
}

void LogModeration(Tx& tx, const std::string& moderator_id, const std::string& action,
                   const std::string& post_id, const std::string& thread_id,
                   const std::string& target_user_id, const std::string& reason,
                   const std::string& until) {
  pg::Exec(tx, "moderation/log", moderator_id, action, post_id, thread_id, target_user_id, reason,
           until);
}

std::string NowIso(Tx& tx) {
  return pg::Exec(tx, "moderation/now_iso")[0]["now_iso"].as<std::string>();
}

int64_t NowSeconds(Tx& tx) { return pg::Exec(tx, "moderation/now_s")[0]["now_s"].as<int64_t>(); }

std::optional<std::string> InsertFlag(Tx& tx, const std::string& post_id,
                                      const std::string& reporter_id, const std::string& reason,
                                      const std::string& detail, int weight) {
  auto rows = pg::Exec(tx, "moderation/flag", post_id, reporter_id, reason, detail, weight);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<std::string>();
}

std::string AddFlagWeight(Tx& tx, const std::string& post_id, int weight, int hide_threshold) {
  return pg::Exec(tx, "moderation/add_flag_weight", post_id, weight, hide_threshold)[0]["status"]
      .as<std::string>();
}

std::vector<Flag> OpenFlags(Tx& tx, const std::string& post_id) {
  std::vector<Flag> out;
  for (const auto& r : pg::Exec(tx, "moderation/open_flags", post_id)) {
    Flag f;
    f.reporter_id = r["reporter_id"].as<std::string>();
    f.reason = r["reason"].as<std::string>();
    f.detail = r["detail"].as<std::string>();
    f.created_at = r["created_s"].as<int64_t>();
    out.push_back(std::move(f));
  }
  return out;
}

std::string LockPostStatus(Tx& tx, const std::string& post_id) {
  return pg::Exec(tx, "moderation/lock_post", post_id)[0]["status"].as<std::string>();
}

void SetPostStatus(Tx& tx, const std::string& post_id, const std::string& status) {
  pg::Exec(tx, "moderation/set_post_status", post_id, status);
}

void ResolveFlags(Tx& tx, const std::string& post_id) {
  pg::Exec(tx, "moderation/resolve_flags", post_id);
}

void ClearWatchedWords(Tx& tx) { pg::Exec(tx, "moderation/clear_watched_words"); }

void AddWatchedWord(Tx& tx, const std::string& word, const std::string& action,
                    const std::string& updated_by) {
  pg::Exec(tx, "moderation/add_watched_word", word, action, updated_by);
}

std::vector<WatchedWord> ListWatchedWords(Tx& tx, int offset, int limit) {
  std::vector<WatchedWord> out;
  for (const auto& r : pg::Exec(tx, "moderation/list_watched_words", offset, limit)) {
    WatchedWord w;
    w.word = r["word"].as<std::string>();
    w.action = r["action"].as<std::string>();
    w.updated_at = r["updated_s"].as<int64_t>();
    if (!r["last_updated_s"].is_null()) w.last_updated_at = r["last_updated_s"].as<int64_t>();
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace healthtech::forum::storage
