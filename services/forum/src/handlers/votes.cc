// Votes on posts.
#include "handlers/common.h"

namespace healthtech::forum {

grpc::Status ForumServiceImpl::VotePost(Ctx* ctx, const v1::VotePostRequest* req,
                                        v1::VotePostResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->value() < -1 || req->value() > 1) {
      return st::ValidationFailed({{"value", "must be -1, 0 or 1"}});
    }
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      v1::Post post;
      if (auto ls = LoadPost(tx, *caller, req->id(), &post); !ls.ok()) return ls;
      if (post.status() != v1::POST_STATUS_VISIBLE) {
        return st::Conflict("POST_NOT_VOTABLE", "Only visible posts take votes.");
      }
      if (post.author_id() == caller->id()) {
        return st::PermissionDenied("OWN_POST", "You cannot vote on your own post.");
      }
      int before = storage::LockVote(tx, req->id(), caller->id()).value_or(0);
      if (req->value() == 0) {
        storage::DeleteVote(tx, req->id(), caller->id());
      } else {
        storage::UpsertVote(tx, req->id(), caller->id(), req->value());
      }
      int score = storage::AddToScore(tx, req->id(), req->value() - before);
      resp->set_id(req->id());
      resp->set_vote_score(score);
      resp->set_my_vote(req->value());
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
