// What kube-apiserver's proxy transport does to answers
// (k8s.io/apimachinery/pkg/util/proxy/transport.go): same-host absolute
// links in text/html pages and in Location headers are prefixed with the
// proxy path so a browser stays on the proxy. Go's HTML tokenizer
// re-serialises every start tag on the way (lower-case names,
// `key="value"` attributes with html.EscapeString, `<br/>` for self-closing
// tags); text, comments, doctypes and end tags pass through as they are.
// Entities in attribute values are decoded for the common named ones and
// numeric references only.
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/http_net.h"

namespace ksim::apiserver {
namespace {

// Tags and their URL-valued attributes (transport.go's atomsToAttrs).
bool UrlAttr(const std::string& tag, const std::string& attr) {
  static const std::vector<std::pair<const char*, const char*>> kAttrs = {
      {"a", "href"},          {"applet", "codebase"},   {"area", "href"},
      {"audio", "src"},       {"base", "href"},         {"blockquote", "cite"},
      {"body", "background"}, {"button", "formaction"}, {"command", "icon"},
      {"del", "cite"},        {"embed", "src"},         {"form", "action"},
      {"frame", "longdesc"},  {"frame", "src"},         {"head", "profile"},
      {"html", "manifest"},   {"iframe", "longdesc"},   {"iframe", "src"},
      {"img", "longdesc"},    {"img", "src"},           {"img", "usemap"},
      {"input", "src"},       {"input", "usemap"},      {"input", "formaction"},
      {"ins", "cite"},        {"link", "href"},         {"object", "classid"},
      {"object", "codebase"}, {"object", "data"},       {"object", "usemap"},
      {"q", "cite"},          {"script", "src"},        {"source", "src"},
      {"video", "poster"},    {"video", "src"}};
  for (const auto& [t, a] : kAttrs) {
    if (tag == t && attr == a) return true;
  }
  return false;
}

bool RawTextTag(const std::string& tag) {
  for (const char* t :
       {"script", "style", "textarea", "title", "iframe", "noembed", "noframes",
        "noscript", "xmp", "plaintext"}) {
    if (tag == t) return true;
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

std::string Unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    size_t semi = v[i] == '&' ? v.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += v[i];
      continue;
    }
    std::string name(v.substr(i + 1, semi - i - 1));
    long code = -1;
    if (name == "amp") code = '&';
    if (name == "lt") code = '<';
    if (name == "gt") code = '>';
    if (name == "quot") code = '"';
    if (name == "apos") code = '\'';
    if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      code = std::strtol(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
    }
    if (code <= 0 || code > 127) {
      out += v[i];
      continue;
    }
    out += static_cast<char>(code);
    i = semi;
  }
  return out;
}

// html.EscapeString.
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// path.Join(prefix, p) for an absolute p: cleaned, no trailing slash.
std::string JoinClean(const std::string& prefix, const std::string& p) {
  std::vector<std::string> parts;
  std::string all = prefix + "/" + p;
  size_t pos = 0;
  while (pos <= all.size()) {
    size_t next = all.find('/', pos);
    if (next == std::string::npos) next = all.size();
    std::string seg = all.substr(pos, next - pos);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (const auto& s : parts) out += "/" + s;
  return out.empty() ? "/" : out;
}

struct Tokenizer {
  std::string_view in;
  size_t pos = 0;
};

// Parses the start tag at t.pos ('<' then a letter); writes its
// re-serialised form with rewritten URLs. Returns the tag name.
std::string StartTag(Tokenizer& t, const ProxyRewrite& rw, std::string* out) {
  std::string_view in = t.in;
  size_t i = t.pos + 1;
  size_t name_end = in.find_first_of(" \t\n\r\f/>", i);
  if (name_end == std::string_view::npos) name_end = in.size();
  std::string tag = Lower(in.substr(i, name_end - i));
  i = name_end;
  std::string attrs;
  bool self_closing = false;
  while (i < in.size() && in[i] != '>') {
    char c = in[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '/') {
      self_closing = i + 1 < in.size() && in[i + 1] == '>';
      ++i;
      continue;
    }
    size_t key_end = in.find_first_of(" \t\n\r\f=/>", i + 1);
    if (key_end == std::string_view::npos) key_end = in.size();
    std::string key = Lower(in.substr(i, key_end - i));
    i = key_end;
    while (i < in.size() && std::isspace(static_cast<unsigned char>(in[i])))
      ++i;
    std::string value;
    if (i < in.size() && in[i] == '=') {
      ++i;
      while (i < in.size() && std::isspace(static_cast<unsigned char>(in[i])))
        ++i;
      if (i < in.size() && (in[i] == '"' || in[i] == '\'')) {
        size_t close = in.find(in[i], i + 1);
        if (close == std::string_view::npos) close = in.size();
        value = Unescape(in.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        size_t end = in.find_first_of(" \t\n\r\f>", i);
        if (end == std::string_view::npos) end = in.size();
        value = Unescape(in.substr(i, end - i));
        i = end;
      }
    }
    if (UrlAttr(tag, key)) value = RewriteProxiedUrl(value, rw);
    attrs += " " + key + "=\"" + Escape(value) + "\"";
  }
  t.pos = i < in.size() ? i + 1 : in.size();
  *out += "<" + tag + attrs + (self_closing ? "/>" : ">");
  return tag;
}

}  // namespace

std::string RewriteProxiedUrl(const std::string& url, const ProxyRewrite& rw) {
  // url.Parse, for the shapes links take: [scheme:][//host][path][?q][#f].
  std::string rest = url, host;
  size_t colon = rest.find(':');
  size_t slash = rest.find('/');
  bool has_scheme = colon != std::string::npos &&
                    (slash == std::string::npos || colon < slash) &&
                    colon > 0 &&
                    std::isalpha(static_cast<unsigned char>(rest[0]));
  if (has_scheme) rest = rest.substr(colon + 1);
  if (rest.rfind("//", 0) == 0) {
    size_t end = rest.find_first_of("/?#", 2);
    host =
        rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    rest = end == std::string::npos ? "" : rest.substr(end);
  }
  size_t tail_at = rest.find_first_of("?#");
  std::string path = rest.substr(0, tail_at);
  std::string tail = tail_at == std::string::npos ? "" : rest.substr(tail_at);
  bool different_host =
      !host.empty() && host != rw.upstream_host && host != rw.request_host;
  if (different_host || path.empty() || path[0] != '/') return url;
  if (path.rfind(rw.path_prepend, 0) == 0) return path + tail;
  std::string joined = JoinClean(rw.path_prepend, path);
  if (path.back() == '/' && joined.back() != '/') joined += "/";
  return joined + tail;
}

std::string RewriteProxiedHtml(std::string_view html, const ProxyRewrite& rw) {
  Tokenizer t{html};
  std::string out;
  out.reserve(html.size() + 64);
  while (t.pos < html.size()) {
    size_t lt = html.find('<', t.pos);
    if (lt == std::string_view::npos) {
      out.append(html.substr(t.pos));
      break;
    }
    out.append(html.substr(t.pos, lt - t.pos));
    t.pos = lt;
    if (lt + 1 < html.size() &&
        std::isalpha(static_cast<unsigned char>(html[lt + 1]))) {
      std::string tag = StartTag(t, rw, &out);
      if (RawTextTag(tag)) {
        // Everything up to the matching end tag is text.
        std::string lower = Lower(html.substr(t.pos));
        size_t end = lower.find("</" + tag);
        size_t len = end == std::string::npos ? html.size() - t.pos : end;
        out.append(html.substr(t.pos, len));
        t.pos += len;
      }
      continue;
    }
    // End tags, comments, doctypes and stray '<' as they are.
    bool comment = html.substr(lt, 4) == "<!--";
    size_t gt = comment ? html.find("-->", lt + 4) : html.find('>', lt);
    size_t end =
        gt == std::string_view::npos ? html.size() : gt + (comment ? 3 : 1);
    if (lt + 1 < html.size() && html[lt + 1] != '/' && html[lt + 1] != '!' &&
        html[lt + 1] != '?') {
      end = lt + 1;  // a '<' that starts no tag is text
    }
    out.append(html.substr(lt, end - lt));
    t.pos = end;
  }
  return out;
}

}  // namespace ksim::apiserver
