#pragma once
// forum-service's gRPC class: the constructor, the caller, and the steps the handlers share.
// Each group of RPCs lives in handlers/ (categories, threads, posts, votes, moderation,
// private, search); the rules they apply are in domain/, the SQL they run in storage/ and
// sql/, the calls to other services in clients/.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/directory.h"
#include "config.h"
#include "domain/render.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/forum/v1/forum_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"
#include "storage/store.h"

namespace healthtech::forum {

// The signed-in caller of an RPC (or an anonymous reader of public content).
struct Caller {
  bool signed_in = false;
  auth::Claims claims;
  bool moderator = false;  // moderator or platform_admin
  bool admin = false;      // platform_admin
  const std::string& id() const { return claims.sub; }
  pg::Subject subject() const {
    return signed_in ? pg::Subject{claims.sub, claims.RolesCsv()} : pg::Subject{"", ""};
  }
  // Who reads, for the visibility rules of storage (the id only if it is a UUID).
  storage::Viewer viewer() const;
};

// gRPC transport of the forum. Public content lives in plain tables whose visibility rules
// (hidden, deleted, pending review) are applied by the service's statements (the caller's
// moderator flag and id are parameters); private threads are also guarded by row-level
// security. Badges come from OrgService, display names from IAM (clients/), cached briefly.
class ForumServiceImpl final : public v1::ForumService::Service {
 public:
  ForumServiceImpl(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                   std::shared_ptr<grpc::Channel> org, std::shared_ptr<grpc::Channel> appointment);

  using Ctx = grpc::ServerContext;
  grpc::Status CreateCategory(Ctx*, const v1::CreateCategoryRequest*, v1::Category*) override;
  grpc::Status ListCategories(Ctx*, const v1::ListCategoriesRequest*,
                              v1::ListCategoriesResponse*) override;
  grpc::Status CreateThread(Ctx*, const v1::CreateThreadRequest*, v1::Thread*) override;
  grpc::Status ListThreads(Ctx*, const v1::ListThreadsRequest*, v1::ListThreadsResponse*) override;
  grpc::Status GetThread(Ctx*, const v1::GetThreadRequest*, v1::GetThreadResponse*) override;
  grpc::Status CreatePost(Ctx*, const v1::CreatePostRequest*, v1::Post*) override;
  grpc::Status EditPost(Ctx*, const v1::EditPostRequest*, v1::Post*) override;
  grpc::Status ListPostEdits(Ctx*, const v1::ListPostEditsRequest*,
                             v1::ListPostEditsResponse*) override;
  grpc::Status DeletePost(Ctx*, const v1::DeletePostRequest*, v1::Post*) override;
  grpc::Status VotePost(Ctx*, const v1::VotePostRequest*, v1::VotePostResponse*) override;
  grpc::Status AcceptAnswer(Ctx*, const v1::AcceptAnswerRequest*, v1::Thread*) override;
  grpc::Status FollowThread(Ctx*, const v1::FollowThreadRequest*,
                            v1::FollowThreadResponse*) override;
  grpc::Status UnfollowThread(Ctx*, const v1::UnfollowThreadRequest*,
                              v1::FollowThreadResponse*) override;
  grpc::Status CreatePrivateThread(Ctx*, const v1::CreatePrivateThreadRequest*,
                                   v1::PrivateThread*) override;
  grpc::Status ListPrivateThreads(Ctx*, const v1::ListPrivateThreadsRequest*,
                                  v1::ListPrivateThreadsResponse*) override;
  grpc::Status GetPrivateThread(Ctx*, const v1::GetPrivateThreadRequest*,
                                v1::GetPrivateThreadResponse*) override;
  grpc::Status CreatePrivatePost(Ctx*, const v1::CreatePrivatePostRequest*,
                                 v1::PrivatePost*) override;
  grpc::Status FlagPost(Ctx*, const v1::FlagPostRequest*, v1::FlagPostResponse*) override;
  grpc::Status GetModerationQueue(Ctx*, const v1::GetModerationQueueRequest*,
                                  v1::GetModerationQueueResponse*) override;
  grpc::Status ModeratePost(Ctx*, const v1::ModeratePostRequest*, v1::Post*) override;
  grpc::Status LockThread(Ctx*, const v1::LockThreadRequest*, v1::Thread*) override;
  grpc::Status PinThread(Ctx*, const v1::PinThreadRequest*, v1::Thread*) override;
  grpc::Status SuspendUser(Ctx*, const v1::SuspendUserRequest*, v1::Suspension*) override;
  grpc::Status SetWatchedWords(Ctx*, const v1::SetWatchedWordsRequest*,
                               v1::WatchedWordList*) override;
  grpc::Status ListWatchedWords(Ctx*, const v1::ListWatchedWordsRequest*,
                                v1::WatchedWordList*) override;
  grpc::Status Search(Ctx*, const v1::SearchRequest*, v1::SearchResponse*) override;

 private:
  // Follow and Unfollow: the one difference is the flag.
  grpc::Status SetFollowing(Ctx* ctx, const std::string& thread_id, bool follow,
                            v1::FollowThreadResponse* resp);
  grpc::Status SetThreadFlag(Ctx* ctx, const std::string& thread_id, const char* column, bool on,
                             const char* action_on, const char* action_off,
                             const std::string& reason, v1::Thread* resp);
  // Required sign-in; or optional (anonymous when no authorization metadata).
  absl::StatusOr<Caller> SignedIn(const grpc::ServerContext& ctx);
  absl::StatusOr<Caller> Optional(const grpc::ServerContext& ctx);

  using Person = clients::Person;
  // Display names (IAM) and practitioner badges (OrgService), cached for a minute. On an
  // upstream failure the answer is empty (reads never fail because of a badge).
  std::map<std::string, Person> People(const std::vector<std::string>& user_ids,
                                       const std::string& request_id, bool* upstream_ok = nullptr) {
    return directory_.People(user_ids, request_id, upstream_ok);
  }

  // Loads the caller's member row and checks suspension, category rules, slow mode and
  // watched words for a new public post. Sets the status and queue reason it gets.
  struct Gate {
    std::string status = "visible";
    std::string queue_reason;
    Trust trust = Trust::kNew;
  };
  absl::StatusOr<Gate> CheckPosting(storage::Tx& tx, const Caller& caller,
                                    const std::string& category_id, const std::string& text,
                                    const Person& me);
  // "" or "review" for `text`, or the blocked word's error.
  absl::StatusOr<std::string> WatchedWordVerdict(storage::Tx& tx, const std::string& text);
  Trust TrustOf(int approved_posts) const;
  void EmitReplyCreated(storage::Tx& tx, const std::string& post_id);
  void EmitModeration(storage::Tx& tx, const std::string& action, const std::string& post_id,
                      const std::string& thread_id, const std::string& target_user_id,
                      const std::string& moderator_id, const std::string& reason,
                      const std::string& until);
  absl::Status LoadThread(storage::Tx& tx, const Caller& caller, const std::string& id,
                          v1::Thread* out);
  absl::Status LoadPost(storage::Tx& tx, const Caller& caller, const std::string& id, v1::Post* out,
                        std::string* thread_id = nullptr);
  void AddBadges(const std::string& request_id, std::vector<v1::Post*> posts);

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  auth::Authenticator authn_;
  clients::Directory directory_;
};

}  // namespace healthtech::forum
