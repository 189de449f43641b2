// Threads: create, list, view (one round trip), accepted answers and follows.
#include "handlers/common.h"

namespace healthtech::forum {

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
    absl::Status s = pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      auto gate = CheckPosting(tx, *caller, req->category_id(), title + "\n" + req->body(), me);
      if (!gate.ok()) return gate.status();
      std::string html = RenderMarkdown(req->body(), {gate->trust});
      std::string text = PlainText(html);
      thread_id = storage::InsertThread(tx, req->category_id(), title, tags, caller->id());
      storage::NewPost op;
      op.thread_id = thread_id;
      op.author_id = caller->id();
      op.body_markdown = req->body();
      op.body_html = html;
      op.body_text = text;
      op.status = gate->status;
      op.queue_reason = gate->queue_reason;
      op.title = title;
      op.tags = Join(tags, " ");
      storage::InsertOpeningPost(tx, op);
      storage::FollowOwnThread(tx, thread_id, caller->id());
      if (gate->status == "visible") storage::CountApprovedPost(tx, caller->id());
      if (auto ls = LoadThread(tx, *caller, thread_id, resp); !ls.ok()) return ls;
      return LoadPost(tx, *caller, storage::OpeningPostId(tx, thread_id),
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
    storage::ThreadQuery query;
    switch (req->sort()) {
      case v1::THREAD_SORT_TOP:
        query.order = storage::ThreadOrder::kTop;
        break;
      case v1::THREAD_SORT_UNANSWERED:
        query.order = storage::ThreadOrder::kUnanswered;
        break;
      default:
        query.order = storage::ThreadOrder::kLatest;
    }
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      if (!category.empty()) {
        auto c = storage::ResolveCategory(tx, category);
        if (!c) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
        query.category_id = *c;
      }
      query.tag = tag;
      query.limit = limit + 1;
      query.offset = *offset;
      // Lists show what everyone may see (moderators use the queue for the rest).
      auto rows = storage::ListThreads(tx, query, caller->viewer().me);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        ToProto(rows[i], resp->add_items());
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
    // One round trip: the caller's RLS settings and the prepared thread view
    // (sql/threads/view.sql) go as one message.
    auto rows = storage::ThreadView(*pool_, caller->subject(), req->id(), *after, limit + 1,
                                    caller->viewer());
    if (!rows.ok()) return rows.status();
    auto* thread = resp->mutable_thread();
    // The opening post's row carries the thread; without it the thread is not visible.
    const storage::ThreadViewRow* opening = nullptr;
    for (const auto& r : *rows) {
      if (r.post.depth == 0) opening = &r;
    }
    if (opening == nullptr) return ThreadNotFound();
    ToProto(opening->thread, thread);
    std::set<int64_t> tops;
    for (const auto& r : *rows) {
      if (r.post.depth == 1) tops.insert(r.post.seq);
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
      if (cut != 0 && r.post.top_seq == cut) continue;
      v1::Post* p = r.post.depth == 0 ? thread->mutable_opening_post() : resp->add_items();
      ToProto(r.post, caller->moderator, TrustOf(r.post.author_approved_posts), p);
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

grpc::Status ForumServiceImpl::AcceptAnswer(Ctx* ctx, const v1::AcceptAnswerRequest* req,
                                            v1::Thread* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Thread thread;
      if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
      if (thread.author_id() != caller->id()) {
        return st::PermissionDenied("FORBIDDEN", "Only the thread's author accepts an answer.");
      }
      if (!req->post_id().empty()) {
        if (!validate::ValidUuid(req->post_id()) ||
            !storage::IsVisibleReply(tx, req->post_id(), thread.id())) {
          return st::NotFound("POST_NOT_FOUND", "No such reply in this thread.");
        }
      }
      storage::AcceptAnswer(tx, thread.id(), req->post_id());
      return LoadThread(tx, *caller, thread.id(), resp);
    });
  });
}

grpc::Status ForumServiceImpl::FollowThread(Ctx* ctx, const v1::FollowThreadRequest* req,
                                            v1::FollowThreadResponse* resp) {
  return SetFollowing(ctx, req->thread_id(), true, resp);
}

grpc::Status ForumServiceImpl::UnfollowThread(Ctx* ctx, const v1::UnfollowThreadRequest* req,
                                              v1::FollowThreadResponse* resp) {
  return SetFollowing(ctx, req->thread_id(), false, resp);
}

grpc::Status ForumServiceImpl::SetFollowing(Ctx* ctx, const std::string& thread_id, bool follow,
                                            v1::FollowThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Thread thread;
      if (auto ls = LoadThread(tx, *caller, thread_id, &thread); !ls.ok()) return ls;
      if (follow)
        storage::Follow(tx, thread.id(), caller->id());
      else
        storage::Unfollow(tx, thread.id(), caller->id());
      resp->set_id(thread.id());
      resp->set_following(follow);
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
