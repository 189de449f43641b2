#include "healthtech/text/html.h"

#include <gtest/gtest.h>

namespace healthtech::text {
namespace {

TEST(EscapeHtml, EscapesTheFiveCharactersAndKeepsTheRest) {
  EXPECT_EQ(EscapeHtml(R"(<a href="x" title='y'>Tom & Jerry</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("नमस्ते, plain text"), "नमस्ते, plain text");
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // never "already escaped"
}

}  // namespace
}  // namespace healthtech::text
