#include "domain/render.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace healthtech::forum {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every tag of the output, lower-cased, as "<name attr=...>" strings.
std::vector<std::string> Tags(const std::string& html) {
  std::vector<std::string> tags;
  for (size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    size_t gt = html.find('>', i);
    tags.push_back(Lower(html.substr(i, gt == std::string::npos ? std::string::npos : gt - i + 1)));
  }
  return tags;
}

// Attributes of one tag as (name, value) pairs; values as written (quotes removed).
std::vector<std::pair<std::string, std::string>> Attrs(const std::string& tag) {
  std::vector<std::pair<std::string, std::string>> out;
  if (tag.size() > 1 && tag[1] == '/') return out;  // a closing tag has none
  size_t i = tag.find_first_of(" />", 1);
  while (i < tag.size()) {
    while (i < tag.size() && (tag[i] == ' ' || tag[i] == '/' || tag[i] == '\n')) ++i;
    if (i >= tag.size() || tag[i] == '>') break;
    size_t n = i;
    while (i < tag.size() && tag[i] != '=' && tag[i] != ' ' && tag[i] != '>') ++i;
    std::string name = tag.substr(n, i - n), value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      char q = tag[i];
      EXPECT_TRUE(q == '"') << "unquoted attribute in " << tag;
      size_t e = tag.find(q, i + 1);
      value = tag.substr(i + 1, e - i - 1);
      i = e + 1;
    }
    out.emplace_back(name, value);
  }
  return out;
}

// The properties a rendered body must have whatever its source: only allow-listed
// tags and attributes (so no event handler or style), no script-capable URL.
void ExpectHarmless(const std::string& html, const std::string& payload) {
  static const std::vector<std::string> kAllowed = {
      "p", "br", "hr",  "h1",  "h2",   "h3",         "h4", "h5", "h6", "strong", "em",
      "b", "i",  "del", "pre", "code", "blockquote", "ul", "ol", "li", "a",      "img"};
  static const std::vector<std::string> kAttrs = {
      "href", "title", "src", "alt", "rel", "class", "start", "loading", "referrerpolicy"};
  for (const auto& tag : Tags(html)) {
    size_t start = tag[1] == '/' ? 2 : 1;
    size_t end = tag.find_first_of(" />", start);
    std::string name = tag.substr(start, end - start);
    EXPECT_NE(std::find(kAllowed.begin(), kAllowed.end(), name), kAllowed.end())
        << "tag <" << name << "> from payload: " << payload << "\noutput: " << html;
    for (const auto& [attr, value] : Attrs(tag)) {
      EXPECT_NE(std::find(kAttrs.begin(), kAttrs.end(), attr), kAttrs.end())
          << "attribute " << attr << " from payload: " << payload << "\noutput: " << html;
      EXPECT_EQ(value.find('<'), std::string::npos) << html;
      if (attr == "href" || attr == "src") {
        EXPECT_THAT(value, Not(HasSubstr("script:"))) << payload << "\n" << html;
        EXPECT_THAT(value, Not(HasSubstr("data:"))) << payload << "\n" << html;
        EXPECT_THAT(value, Not(HasSubstr("&#"))) << payload << "\n" << html;
      }
    }
  }
  std::string lower = Lower(html);
  EXPECT_THAT(lower, Not(HasSubstr("<script"))) << payload;
  EXPECT_THAT(lower, Not(HasSubstr("<iframe"))) << payload;
  EXPECT_THAT(lower, Not(HasSubstr("<svg"))) << payload;
}

const std::vector<std::string>& XssPayloads() {
  static const std::vector<std::string> k = {
      "<script>alert(1)</script>",
      "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
      "<img src=x onerror=alert(1)>",
      "<IMG SRC=\"javascript:alert('XSS');\">",
      "<img src=\"x\" onerror=\"alert(1)\"/>",
      "<svg/onload=alert(1)>",
      "<svg><script>alert(1)</script></svg>",
      "<body onload=alert(1)>",
      "<iframe src=\"javascript:alert(1)\"></iframe>",
      "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
      "<a href=\"javascript:alert(1)\">x</a>",
      "[click](javascript:alert(1))",
      "[click](JaVaScRiPt:alert(1))",
      "[click](javascript&#58;alert(1))",
      "[click](javascript&colon;alert(1))",
      "[click](&#x6A;avascript:alert(1))",
      "[click](java\tscript:alert(1))",
      "[click](<javascript:alert(1)>)",
      "[click](vbscript:msgbox(1))",
      "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "![x](javascript:alert(1))",
      "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
      "![x\" onerror=\"alert(1)](http://example.com/a.png)",
      "[x](http://example.com/\" onmouseover=\"alert(1))",
      "<div style=\"background:url(javascript:alert(1))\">x</div>",
      "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
      "<details open ontoggle=alert(1)>",
      "<object data=\"javascript:alert(1)\"></object>",
      "<embed src=\"javascript:alert(1)\">",
      "<form action=\"javascript:alert(1)\"><button>go</button></form>",
      "<input autofocus onfocus=alert(1)>",
      "<marquee onstart=alert(1)>",
      "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
      "<<script>script>alert(1)<</script>/script>",
      "<scr<script>ipt>alert(1)</scr</script>ipt>",
      "<!--<img src=x onerror=alert(1)>-->",
      "<style>@import 'javascript:alert(1)';</style>",
      "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
      "<base href=\"javascript:alert(1)//\">",
      "<link rel=stylesheet href=javascript:alert(1)>",
      "`<script>alert(1)</script>`",
      "```\n<script>alert(1)</script>\n```",
      "```\" onmouseover=\"alert(1)\n code\n```",
      "<a href=javascript:alert(1)>x",
      "[a](http://x.example \"title\\\" onmouseover=\\\"alert(1)\")",
  };
  return k;
}

TEST(RenderMarkdown, NeutralizesEveryXssPayload) {
  for (Trust trust : {Trust::kNew, Trust::kBasic, Trust::kRegular}) {
    for (const auto& payload : XssPayloads()) {
      ExpectHarmless(RenderMarkdown(payload, {trust}), payload);
    }
  }
}

TEST(SanitizeHtml, NeutralizesEveryXssPayloadEvenWithoutCmark) {
  // The sanitizer must hold on its own: feed it the raw payloads as if they were HTML.
  for (Trust trust : {Trust::kNew, Trust::kRegular}) {
    for (const auto& payload : XssPayloads()) {
      ExpectHarmless(SanitizeHtml(payload, {trust}), payload);
    }
  }
}

TEST(SanitizeHtml, DropsScriptContentAndKeepsSurroundingText) {
  EXPECT_EQ(SanitizeHtml("<p>a<script>alert(1)</script>b</p>", {}), "<p>ab</p>");
  EXPECT_EQ(SanitizeHtml("<p>1 < 2 & 3 > 2</p>", {}), "<p>1 &lt; 2 &amp; 3 &gt; 2</p>");
}

TEST(RenderMarkdown, RendersCommonMarkdown) {
  std::string html = RenderMarkdown(
      "# Title\n\nSome **bold** and *em* text.\n\n- one\n- two\n\n"
      "```cpp\nint x = 1 < 2;\n```\n",
      {Trust::kRegular});
  EXPECT_THAT(html, HasSubstr("<h1>Title</h1>"));
  EXPECT_THAT(html, HasSubstr("<strong>bold</strong>"));
  EXPECT_THAT(html, HasSubstr("<em>em</em>"));
  EXPECT_THAT(html, HasSubstr("<ul>\n<li>one</li>"));
  EXPECT_THAT(html, HasSubstr("<code class=\"language-cpp\">int x = 1 &lt; 2;"));
}

TEST(RenderMarkdown, RawHtmlIsNotRendered) {
  std::string html = RenderMarkdown("<b onclick=x>hi</b> <span>there</span>", {Trust::kRegular});
  EXPECT_THAT(html, Not(HasSubstr("onclick")));
  EXPECT_THAT(html, Not(HasSubstr("<span")));
}

TEST(RenderMarkdown, NewUsersLinksAreNofollowAndImagesBecomeLinks) {
  std::string html = RenderMarkdown(
      "[site](https://example.com) ![chart](https://example.com/c.png)", {Trust::kNew});
  EXPECT_THAT(html, HasSubstr("<a href=\"https://example.com\" rel=\"nofollow ugc\">site</a>"));
  EXPECT_THAT(html,
              HasSubstr("<a href=\"https://example.com/c.png\" rel=\"nofollow ugc\">chart</a>"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
}

TEST(RenderMarkdown, TrustedUsersKeepFollowLinksAndImages) {
  std::string html = RenderMarkdown(
      "[site](https://example.com) ![chart](https://example.com/c.png)", {Trust::kBasic});
  EXPECT_THAT(html, HasSubstr("<a href=\"https://example.com\" rel=\"ugc\">site</a>"));
  EXPECT_THAT(html, HasSubstr("<img src=\"https://example.com/c.png\" alt=\"chart\""));
  EXPECT_THAT(html, Not(HasSubstr("nofollow")));
}

TEST(RenderMarkdown, UnsafeLinksKeepTheirTextOnly) {
  std::string html = RenderMarkdown("[click me](javascript:alert(1))", {Trust::kRegular});
  EXPECT_THAT(html, HasSubstr("click me"));
  EXPECT_THAT(html, Not(HasSubstr("<a")));
}

TEST(SafeUrl, AcceptsWebAndRelativeRefusesScriptSchemes) {
  std::string d;
  EXPECT_TRUE(SafeUrl("https://example.com/a?b=1&amp;c=2", false, &d));
  EXPECT_EQ(d, "https://example.com/a?b=1&c=2");
  EXPECT_TRUE(SafeUrl("/v1/forum/threads/x", false, &d));
  EXPECT_TRUE(SafeUrl("#section", false, &d));
  EXPECT_TRUE(SafeUrl("mailto:a@example.com", false, &d));
  EXPECT_FALSE(SafeUrl("mailto:a@example.com", true, &d));
  EXPECT_FALSE(SafeUrl("javascript:alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl(" JAVASCRIPT:alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl("java&#x09;script:alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl("jav&#x61;script:alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl("javascript&colon;alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl("java&unknown;script:alert(1)", false, &d));
  EXPECT_FALSE(SafeUrl("data:text/html,x", false, &d));
  EXPECT_FALSE(SafeUrl("", false, &d));
}

TEST(PlainText, StripsTagsAndDecodes) {
  EXPECT_EQ(PlainText("<p>Blood  <strong>sugar</strong> &lt;5&gt;</p>\n<p>ok</p>"),
            "Blood sugar <5> ok");
}

TEST(Excerpt, CutsAtASpaceWithAnEllipsis) {
  EXPECT_EQ(Excerpt("short", 10), "short");
  EXPECT_EQ(Excerpt("one two three four", 10), "one two\xE2\x80\xA6");
}

TEST(ContainsWord, MatchesWholeWordsCaseInsensitively) {
  EXPECT_TRUE(ContainsWord("Buy CHEAP pills now", "cheap pills"));
  EXPECT_TRUE(ContainsWord("cheap!", "cheap"));
  EXPECT_FALSE(ContainsWord("cheapest", "cheap"));
  EXPECT_FALSE(ContainsWord("scam", "sca"));
  EXPECT_FALSE(ContainsWord("anything", ""));
}

TEST(Trust, LevelsFromThresholdsAndFlagWeights) {
  EXPECT_EQ(TrustFor(0, 3, 20), Trust::kNew);
  EXPECT_EQ(TrustFor(3, 3, 20), Trust::kBasic);
  EXPECT_EQ(TrustFor(25, 3, 20), Trust::kRegular);
  EXPECT_LT(FlagWeight(Trust::kNew), FlagWeight(Trust::kBasic));
  EXPECT_LT(FlagWeight(Trust::kBasic), FlagWeight(Trust::kRegular));
}

}  // namespace
}  // namespace healthtech::forum
