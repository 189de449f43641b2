// Categories: create (platform admins) and list.
#include "handlers/common.h"

namespace healthtech::forum {

// ------------------------------------------------------------------ categories

grpc::Status ForumServiceImpl::CreateCategory(Ctx* ctx, const v1::CreateCategoryRequest* req,
                                              v1::Category* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->admin) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins add categories.");
    }
    std::vector<st::Violation> v;
    std::string name = validate::Trim(req->name());
    std::string description = validate::Trim(req->description());
    size_t n = validate::CodePoints(name);
    if (n < 2 || n > 80) v.push_back({"name", "must be 2-80 characters"});
    if (validate::CodePoints(description) > 500) {
      v.push_back({"description", "must be at most 500 characters"});
    }
    std::string slug = req->slug().empty() ? domain::Slugify(name) : req->slug();
    if (!domain::ValidSlug(slug))
      v.push_back({"slug", "must be lower-case words of a-z, 0-9 joined by '-'"});
    int slow = req->rules().slow_mode_seconds();
    if (slow < 0 || slow > 86400) v.push_back({"rules.slow_mode_seconds", "must be 0-86400"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      if (storage::CategoryExists(tx, name, slug)) {
        return st::Conflict("CATEGORY_EXISTS", "A category with this name or slug exists.");
      }
      storage::NewCategory c;
      c.name = name;
      c.slug = slug;
      c.description = description;
      c.who_can_post = WhoCanPostName(req->rules().who_can_post());
      c.first_post_approval = req->rules().first_post_approval();
      c.slow_mode_seconds = slow;
      c.position = req->position();
      c.created_by = caller->id();
      ToProto(storage::GetCategory(tx, storage::InsertCategory(tx, c)), resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status ForumServiceImpl::ListCategories(Ctx* ctx, const v1::ListCategoriesRequest* req,
                                              v1::ListCategoriesResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto offset = OffsetFromToken(page_tokens_, "categories", req->page_token());
    if (!offset.ok()) return offset.status();
    int limit = Limit(req->limit(), 20, 100);
    return pg::WithTransaction(*pool_, pg::Subject{"", ""}, [&](Tx& tx) -> absl::Status {
      auto rows = storage::ListCategories(tx, *offset, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
        ToProto(rows[i], resp->add_items());
      if (static_cast<int>(rows.size()) > limit)
        resp->set_next_page_token(OffsetToken(page_tokens_, "categories", *offset + limit));
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
