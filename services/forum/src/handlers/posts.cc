// Posts: reply, edit (history kept), list earlier versions, delete (soft).
#include "handlers/common.h"

namespace healthtech::forum {

grpc::Status ForumServiceImpl::CreatePost(Ctx* ctx, const v1::CreatePostRequest* req,
                                          v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (req->has_parent_post_id() && !req->parent_post_id().empty() &&
        !validate::ValidUuid(req->parent_post_id())) {
      v.push_back({"parent_post_id", "must be a UUID"});
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    absl::Status s = pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Thread thread;
      if (auto ls = LoadThread(tx, *caller, req->thread_id(), &thread); !ls.ok()) return ls;
      if (storage::LockThread(tx, thread.id()) && !caller->moderator) {
        return st::Conflict("THREAD_LOCKED", "This thread is locked.");
      }
      // The parent: absent or the opening post for a top-level reply.
      std::string parent_id;
      std::string parent_path = "{}";
      if (req->has_parent_post_id() && !req->parent_post_id().empty()) {
        auto p = storage::FindParent(tx, req->parent_post_id(), thread.id(), caller->viewer());
        if (!p) {
          return st::NotFound("PARENT_POST_NOT_FOUND", "No such post in this thread.");
        }
        if (p->status != "visible" && !caller->moderator) {
          return st::Conflict("PARENT_POST_CLOSED", "This post cannot be replied to.");
        }
        if (p->depth >= kMaxDepth) {
          return st::InvalidArgument(
              "THREAD_TOO_DEEP", "Replies nest at most 10 levels deep.",
              {{"parent_post_id", "is already 10 levels deep; reply to its parent"}});
        }
        if (p->depth > 0) {
          parent_id = p->id;
          parent_path = p->path;
        }
      }
      auto gate = CheckPosting(tx, *caller, thread.category_id(), req->body(), me);
      if (!gate.ok()) return gate.status();
      std::string html = RenderMarkdown(req->body(), {gate->trust});
      std::string text = PlainText(html);
      storage::NewPost np;
      np.thread_id = thread.id();
      np.parent_id = parent_id;
      np.parent_path = parent_path;
      np.author_id = caller->id();
      np.body_markdown = req->body();
      np.body_html = html;
      np.body_text = text;
      np.status = gate->status;
      np.queue_reason = gate->queue_reason;
      std::string post_id = storage::InsertReply(tx, np);
      if (gate->status == "visible") {
        storage::BumpThread(tx, thread.id());
        storage::CountApprovedPost(tx, caller->id());
        EmitReplyCreated(tx, post_id);
      }
      return LoadPost(tx, *caller, post_id, resp);
    });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp});
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::EditPost(Ctx* ctx, const v1::EditPostRequest* req, v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    absl::Status s = pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Post current;
      std::string thread_id;
      if (auto ls = LoadPost(tx, *caller, req->id(), &current, &thread_id); !ls.ok()) return ls;
      if (current.author_id() != caller->id()) {
        return st::PermissionDenied("FORBIDDEN", "You can edit only your own posts.");
      }
      storage::EditTarget p = storage::LockForEdit(tx, req->id(), config_.edit_window_seconds);
      const std::string& status = p.status;
      if (status == "deleted" || status == "hidden") {
        return st::Conflict("POST_NOT_EDITABLE", "A deleted or hidden post cannot be edited.");
      }
      if (!p.in_window) {
        return st::Conflict("EDIT_WINDOW_CLOSED",
                            "Posts can be edited for 24 hours after posting.");
      }
      auto verdict = WatchedWordVerdict(tx, req->body());
      if (!verdict.ok()) return verdict.status();
      bool review = *verdict == "review" && !caller->moderator;
      bool opening = p.opening;
      std::string html = RenderMarkdown(req->body(), {TrustOf(p.author_approved_posts)});
      std::string text = PlainText(html);
      storage::AddEdit(tx, req->id(), p.body_markdown, caller->id());
      storage::NewBody body;
      body.markdown = req->body();
      body.html = html;
      body.text = text;
      body.title = opening ? p.title : "";
      body.tags = opening ? p.tags : "";
      body.review = review;
      storage::UpdateBody(tx, req->id(), body);
      if (review) storage::RecountReplies(tx, thread_id);
      return LoadPost(tx, *caller, req->id(), resp);
    });
    if (!s.ok()) return s;
    AddBadges(scope.request_id(), {resp});
    return absl::OkStatus();
  });
}

grpc::Status ForumServiceImpl::ListPostEdits(Ctx* ctx, const v1::ListPostEditsRequest* req,
                                             v1::ListPostEditsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    auto offset = OffsetFromToken(page_tokens_, "post-edits", req->page_token());
    if (!offset.ok()) return offset.status();
    int limit = Limit(req->limit(), 20, 100);
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Post post;  // visibility: the post's own rule
      if (auto ls = LoadPost(tx, *caller, req->id(), &post); !ls.ok()) return ls;
      // Authors often edit to take out what identifies them: earlier versions are for
      // the author and moderators only; a deleted post's for moderators only.
      bool author = !caller->id().empty() && post.author_id() == caller->id();
      if (!caller->moderator && (!author || post.status() == v1::POST_STATUS_DELETED)) {
        return st::PermissionDenied(
            "FORBIDDEN", "Only the author and moderators see earlier versions of a post.");
      }
      auto rows = storage::ListEdits(tx, req->id(), *offset, limit + 1);
      if (static_cast<int>(rows.size()) > limit)
        resp->set_next_page_token(OffsetToken(page_tokens_, "post-edits", *offset + limit));
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        const auto& r = rows[i];
        auto* e = resp->add_items();
        e->set_body_html(RenderMarkdown(r.previous_markdown, {TrustOf(r.author_approved_posts)}));
        double t = r.edited_at;
        e->mutable_edited_at()->set_seconds(static_cast<int64_t>(t));
        e->mutable_edited_at()->set_nanos(
            static_cast<int32_t>((t - static_cast<double>(static_cast<int64_t>(t))) * 1e9));
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status ForumServiceImpl::DeletePost(Ctx* ctx, const v1::DeletePostRequest* req,
                                          v1::Post* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Post current;
      std::string thread_id;
      if (auto ls = LoadPost(tx, *caller, req->id(), &current, &thread_id); !ls.ok()) return ls;
      if (current.author_id() != caller->id()) {
        return st::PermissionDenied("FORBIDDEN", "You can delete only your own posts.");
      }
      storage::DeletePost(tx, req->id());
      storage::ClearAcceptedAnswer(tx, req->id());
      storage::RecountReplies(tx, thread_id);
      return LoadPost(tx, *caller, req->id(), resp);
    });
  });
}

}  // namespace healthtech::forum
