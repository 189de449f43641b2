#pragma once
// Text for HTML: the one escaping routine every service that writes HTML uses.
#include <string>
#include <string_view>

namespace healthtech::text {

// Escapes & < > " ' so the result is safe as element text and as a quoted attribute value.
std::string EscapeHtml(std::string_view s);

}  // namespace healthtech::text
