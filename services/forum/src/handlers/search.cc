// Full-text search of public posts.
#include "handlers/common.h"

namespace healthtech::forum {

grpc::Status ForumServiceImpl::Search(Ctx* ctx, const v1::SearchRequest* req,
                                      v1::SearchResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Optional(*ctx);
    if (!caller.ok()) return caller.status();
    std::string q = validate::Trim(req->q());
    std::vector<st::Violation> v;
    if (q.empty()) v.push_back({"q", "is required"});
    if (validate::CodePoints(q) > 200) v.push_back({"q", "must be at most 200 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = Limit(req->limit(), 20, 50);
    auto offset = OffsetFromToken(page_tokens_, "search", req->page_token());
    if (!offset.ok()) return offset.status();
    std::string category = !req->category_id().empty() ? req->category_id() : req->category();
    std::string tag = validate::Trim(req->tag());
    for (auto& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Ordinary readers find visible posts of visible threads; moderators also hidden ones.
    // Private threads live in other tables and are never searched.
    std::string statuses = caller->moderator ? "{visible,hidden}" : "{visible}";
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      storage::SearchQuery query;
      if (!category.empty()) {
        auto c = storage::ResolveCategory(tx, category);
        if (!c) return st::NotFound("CATEGORY_NOT_FOUND", "No such category.");
        query.category_id = *c;
      }
      query.q = q;
      query.statuses = statuses;
      query.tag = tag;
      query.limit = limit + 1;
      query.offset = *offset;
      // Matches are ranked on the narrow forum.post_search rows (sql/search/posts.sql).
      auto rows = storage::Search(tx, query);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        const auto& r = rows[i];
        auto* item = resp->add_items();
        item->set_thread_id(r.thread_id);
        item->set_post_id(r.post_id);
        item->set_thread_title(r.thread_title);
        item->set_category_id(r.category_id);
        // Escape everything, then turn the private markers into <mark>.
        std::string snippet = EscapeHtml(r.headline);
        for (auto [from, to] : {std::pair<char, const char*>{'\x02', "<mark>"},
                                std::pair<char, const char*>{'\x03', "</mark>"}}) {
          for (size_t p = snippet.find(from); p != std::string::npos; p = snippet.find(from, p)) {
            snippet.replace(p, 1, to);
          }
        }
        item->set_snippet_html(snippet);
        item->set_rank(r.rank);
        item->set_author_display_name(r.author_name);
        item->mutable_created_at()->set_seconds(r.created_at);
      }
      if (static_cast<int>(rows.size()) > limit) {
        resp->set_next_page_token(OffsetToken(page_tokens_, "search", *offset + limit));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
