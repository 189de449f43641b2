#pragma once
// Forum bodies: Markdown rendered to HTML by cmark (CommonMark, safe mode: raw HTML and
// javascript:/vbscript:/file:/data: links are dropped), then passed through our own
// allow-list sanitizer, which does not trust cmark: only listed tags and attributes
// survive, URLs must be http(s), mailto or relative, and every attribute is re-escaped.
// Pure functions, no I/O.
#include <string>
#include <string_view>

#include "healthtech/text/html.h"

namespace healthtech::forum {

// From simple activity thresholds (approved posts); decides link/image rendering and flag
// weight. Values match healthtech.forum.v1.TrustLevel.
enum class Trust { kNew = 1, kBasic = 2, kRegular = 3 };

Trust TrustFor(int approved_posts, int basic_threshold, int regular_threshold);
// How much one flag of a reporter at this level counts towards the hide threshold.
int FlagWeight(Trust reporter);

struct RenderOptions {
  // New users' links get rel="nofollow ugc" and their images show as links.
  Trust author = Trust::kNew;
};

// Markdown -> sanitized HTML.
std::string RenderMarkdown(std::string_view markdown, const RenderOptions& options);

// Allow-list sanitizer: keeps p, br, hr, h1-h6, strong, em, b, i, del, code (with a
// language-* class), pre, blockquote, ul, ol (start), li, a (href, title), img (src, alt,
// title); drops comments, other tags and every other attribute; escapes stray markup.
std::string SanitizeHtml(std::string_view html, const RenderOptions& options);

// True if `url` (as written in an attribute, entities allowed) is http(s), mailto or a
// relative reference once decoded; sets *decoded to the decoded form.
bool SafeUrl(std::string_view url, bool images_only, std::string* decoded);

// Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed.
std::string PlainText(std::string_view html);

// At most `max_code_points` of `text`, cut at a space when possible, with "…" if cut.
std::string Excerpt(std::string_view text, size_t max_code_points);

// Case-insensitive match of a word or phrase on word boundaries (ASCII letters and
// digits and any non-ASCII byte count as word characters).
bool ContainsWord(std::string_view text, std::string_view word);

using text::EscapeHtml;

}  // namespace healthtech::forum
