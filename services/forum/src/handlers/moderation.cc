// Moderation: flags, the queue, actions, locks, pins, suspensions, watched words.
#include "handlers/common.h"

namespace healthtech::forum {

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
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
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
      int weight = FlagWeight(TrustOf(storage::ApprovedPosts(tx, caller->id())));
      auto f = storage::InsertFlag(tx, req->post_id(), caller->id(), reason, detail, weight);
      if (!f) {
        return st::Conflict("ALREADY_FLAGGED", "You have already flagged this post.");
      }
      std::string status =
          storage::AddFlagWeight(tx, req->post_id(), weight, config_.flag_hide_threshold);
      if (status == "hidden" && post.status() == v1::POST_STATUS_VISIBLE) {
        storage::RecountReplies(tx, thread_id);
        log::Info("post_hidden_by_flags", {{"post_id", req->post_id()}});
      }
      resp->set_id(*f);
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
    absl::Status s = pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      auto rows = storage::Queue(tx, req->category_id(), limit + 1, *offset, caller->viewer().me);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        const auto& r = rows[i];
        auto* item = resp->add_items();
        ToProto(r, caller->moderator, TrustOf(r.author_approved_posts), item->mutable_post());
        item->set_queue_reason(QueueReasonOf(r.queue_reason.value_or("")));
        item->set_flag_weight(r.flag_weight);
        if (r.queued_at) item->mutable_queued_at()->set_seconds(*r.queued_at);
        item->set_thread_title(r.thread_title);
        item->set_category_id(r.category_id);
        for (const auto& f : storage::OpenFlags(tx, item->post().id())) {
          auto* flag = item->add_flags();
          flag->set_reporter_id(f.reporter_id);
          flag->set_reason(FlagReasonOf(f.reason));
          flag->set_detail(f.detail);
          flag->mutable_created_at()->set_seconds(f.created_at);
        }
      }
      if (static_cast<int>(rows.size()) > limit) {
        resp->set_next_page_token(OffsetToken(page_tokens_, "moderation-queue", *offset + limit));
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
    absl::Status s = pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Post post;
      std::string thread_id;
      if (auto ls = LoadPost(tx, *caller, req->post_id(), &post, &thread_id); !ls.ok()) {
        return ls;
      }
      std::string was = storage::LockPostStatus(tx, req->post_id());
      if (action == "restore") {
        if (auto rs = domain::MayRestore(was); !rs.ok()) return rs;
      }
      storage::SetPostStatus(tx, req->post_id(), to);
      storage::ResolveFlags(tx, req->post_id());
      if (to != "visible") storage::ClearAcceptedAnswer(tx, req->post_id());
      if (was == "pending_review" && to == "visible") {
        storage::CountApprovedPost(tx, post.author_id());
        storage::TouchThread(tx, thread_id);
        if (post.depth() > 0) EmitReplyCreated(tx, req->post_id());
      }
      storage::RecountReplies(tx, thread_id);
      EmitModeration(tx, action, req->post_id(), thread_id, post.author_id(), caller->id(), *reason,
                     "");
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
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Thread thread;
      if (auto ls = LoadThread(tx, *caller, thread_id, &thread); !ls.ok()) return ls;
      storage::SetThreadFlag(tx, column, thread.id(), on);
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
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      storage::EnsureMember(tx, req->user_id(), "");
      bool lift = req->duration_seconds() == 0;
      storage::Suspension r =
          storage::Suspend(tx, req->user_id(), req->duration_seconds(), *reason, caller->id());
      resp->set_user_id(req->user_id());
      if (r.until) resp->mutable_until()->set_seconds(*r.until);
      resp->set_reason(*reason);
      resp->set_moderator_id(caller->id());
      resp->mutable_created_at()->set_seconds(r.suspended_at);
      EmitModeration(tx, lift ? "unsuspend" : "suspend", "", "", req->user_id(), caller->id(),
                     *reason, lift ? "" : r.until_iso);
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
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      storage::ClearWatchedWords(tx);
      for (const auto& [word, action] : words) {
        storage::AddWatchedWord(tx, word, action, caller->id());
      }
      for (const auto& [word, action] : words) {
        auto* w = resp->add_items();
        w->set_word(word);
        w->set_action(action == "block" ? v1::WATCHED_WORD_ACTION_BLOCK
                                        : v1::WATCHED_WORD_ACTION_REVIEW);
      }
      resp->mutable_updated_at()->set_seconds(storage::NowSeconds(tx));
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
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      auto rows = storage::ListWatchedWords(tx, *offset, limit + 1);
      if (static_cast<int>(rows.size()) > limit)
        resp->set_next_page_token(OffsetToken(page_tokens_, "watched-words", *offset + limit));
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        const auto& r = rows[i];
        if (r.last_updated_at) resp->mutable_updated_at()->set_seconds(*r.last_updated_at);
        auto* w = resp->add_items();
        w->set_word(r.word);
        w->set_action(r.action == "block" ? v1::WATCHED_WORD_ACTION_BLOCK
                                          : v1::WATCHED_WORD_ACTION_REVIEW);
        if (r.updated_at > resp->updated_at().seconds()) {
          resp->mutable_updated_at()->set_seconds(r.updated_at);
        }
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
