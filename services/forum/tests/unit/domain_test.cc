// The forum's rules, with no database and no gRPC.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/posting.h"
#include "domain/render.h"

namespace healthtech::forum {
namespace {

TEST(Trust, ComesFromApprovedPosts) {
  EXPECT_EQ(TrustFor(0, 3, 20), Trust::kNew);
  EXPECT_EQ(TrustFor(2, 3, 20), Trust::kNew);
  EXPECT_EQ(TrustFor(3, 3, 20), Trust::kBasic);
  EXPECT_EQ(TrustFor(19, 3, 20), Trust::kBasic);
  EXPECT_EQ(TrustFor(20, 3, 20), Trust::kRegular);
}

TEST(Trust, WeighsFlags) {
  EXPECT_EQ(FlagWeight(Trust::kNew), 1);
  EXPECT_EQ(FlagWeight(Trust::kBasic), 2);
  EXPECT_EQ(FlagWeight(Trust::kRegular), 3);
}

TEST(MayPostIn, FollowsTheCategoryRule) {
  EXPECT_TRUE(domain::MayPostIn("everyone", false).ok());
  EXPECT_TRUE(domain::MayPostIn("verified_practitioners", true).ok());
  auto s = domain::MayPostIn("verified_practitioners", false);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "Only verified practitioners post in this category.");
  s = domain::MayPostIn("moderators", true);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "Only moderators post in this category.");
}

TEST(Suspended, SaysUntilWhen) {
  auto s = domain::Suspended("2030-01-01T00:00:00Z");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "You are suspended from posting in the forum until 2030-01-01T00:00:00Z.");
}

TEST(SlowMode, WaitsAtLeastASecond) {
  auto s = domain::SlowMode(0);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "This category is in slow mode: wait 1 s before posting.");
  EXPECT_EQ(domain::SlowMode(42).message(),
            "This category is in slow mode: wait 42 s before posting.");
}

TEST(WatchedWords, BlockWinsOverReview) {
  std::vector<domain::WatchedWord> words = {{"cure", "review"}, {"scam", "block"}};
  EXPECT_EQ(*domain::WatchedWordVerdict("a plain post", words), "");
  EXPECT_EQ(*domain::WatchedWordVerdict("a miracle cure", words), "review");
  auto blocked = domain::WatchedWordVerdict("a cure and a scam", words);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(blocked.status().message(), "Your post contains a word this forum does not allow.");
}

TEST(Gate, HoldsWatchedWordsAndFirstPosts) {
  auto g = domain::GateFor(false, "", false, 0);
  EXPECT_EQ(g.status, "visible");
  EXPECT_EQ(g.queue_reason, "");
  g = domain::GateFor(false, "review", true, 0);
  EXPECT_EQ(g.status, "pending_review");
  EXPECT_EQ(g.queue_reason, "watched_word");
  g = domain::GateFor(false, "", true, 0);
  EXPECT_EQ(g.status, "pending_review");
  EXPECT_EQ(g.queue_reason, "first_post");
  g = domain::GateFor(false, "", true, 1);
  EXPECT_EQ(g.status, "visible");
  g = domain::GateFor(true, "review", true, 0);  // moderators are never held
  EXPECT_EQ(g.status, "visible");
  EXPECT_EQ(g.queue_reason, "");
}

TEST(MayRestore, OnlyHiddenOrDeleted) {
  EXPECT_TRUE(domain::MayRestore("hidden").ok());
  EXPECT_TRUE(domain::MayRestore("deleted").ok());
  EXPECT_EQ(domain::MayRestore("visible").code(), absl::StatusCode::kAborted);  // 409
  EXPECT_FALSE(domain::MayRestore("pending_review").ok());
}

TEST(Slug, FromNames) {
  EXPECT_EQ(domain::Slugify("Heart & Lungs"), "heart-lungs");
  EXPECT_EQ(domain::Slugify("  Sleep  "), "sleep");
  EXPECT_TRUE(domain::ValidSlug("heart-lungs"));
  EXPECT_FALSE(domain::ValidSlug("-heart"));
  EXPECT_FALSE(domain::ValidSlug("heart--lungs"));
  EXPECT_FALSE(domain::ValidSlug("Heart"));
  EXPECT_FALSE(domain::ValidSlug(""));
}

}  // namespace
}  // namespace healthtech::forum
