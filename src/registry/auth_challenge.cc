#include "registry/auth_challenge.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/strings.h"

namespace imagepin::registry {
namespace {

// RFC 7230 section 3.2.6 tchar.
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 7235 token68 adds '/' (and '=' only as trailing padding, handled by the caller).
bool IsToken68Char(char c) { return IsTokenChar(c) || c == '/'; }

class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view text) : text_(text) {}

  base::Result<std::vector<Challenge>> Parse() {
    std::vector<Challenge> out;
    SkipSeparators();
    while (!AtEnd()) {
      Challenge challenge;
      challenge.scheme = ReadToken();
      if (challenge.scheme.empty()) return Fail("expected an authentication scheme");
      SkipSpaces();
      if (auto status = ReadParams(challenge); !status.ok()) return status.error();
      out.push_back(std::move(challenge));
      SkipSeparators();
    }
    if (out.empty()) return Fail("no challenge");
    return out;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void SkipSpaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  void SkipSeparators() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == ',')) ++pos_;
  }
  std::string ReadToken() {
    size_t start = pos_;
    while (!AtEnd() && IsTokenChar(Peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  static base::Error Fail(std::string what) {
    return base::MakeError(base::ErrorCode::kParse, "malformed WWW-Authenticate: " + what);
  }

  base::Result<std::string> ReadQuoted() {
    ++pos_;  // the opening quote
    std::string value;
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return value;
      if (c == '\\') {
        if (AtEnd()) break;
        c = text_[pos_++];  // quoted-pair: the next character stands for itself
      }
      value += c;
    }
    return Fail("unterminated quoted string");
  }

  // After the scheme: a token68, or #auth-param until a token that is not followed by '='
  // (the next challenge's scheme) or the end.
  base::Status ReadParams(Challenge& challenge) {
    bool first = true;
    while (true) {
      SkipSpaces();
      if (AtEnd()) return {};
      size_t item_start = pos_;
      if (first) {
        if (std::optional<std::string> token68 = TryToken68()) {
          challenge.token68 = *token68;
          return {};
        }
      }
      std::string name = ReadToken();
      if (name.empty()) {
        if (Peek() == ',') {  // a comma right after the scheme: what follows is not a token68
          ++pos_;
          first = false;
          continue;
        }
        return Fail("unexpected character after scheme");
      }
      SkipSpaces();
      if (Peek() != '=') {  // a new challenge starts here
        pos_ = item_start;
        return {};
      }
      ++pos_;
      SkipSpaces();
      std::string value;
      if (Peek() == '"') {
        base::Result<std::string> quoted = ReadQuoted();
        if (!quoted.ok()) return quoted.error();
        value = std::move(quoted.value());
      } else {
        value = ReadToken();
      }
      challenge.params[base::AsciiLower(name)] = std::move(value);
      first = false;
      SkipSpaces();
      if (AtEnd()) return {};
      if (Peek() != ',') return Fail("expected ',' between parameters");
      ++pos_;
    }
  }

  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", alone before
  // the end or a comma, right after the scheme and a space (two schemes are always separated
  // by a comma, so "Negotiate abc" is one challenge). Leaves pos_ unchanged when this is not
  // one. ("realm=" alone reads as a token68: an empty unquoted value is not valid anyway.)
  std::optional<std::string> TryToken68() {
    size_t p = pos_;
    while (p < text_.size() && IsToken68Char(text_[p])) ++p;
    if (p == pos_) return std::nullopt;
    while (p < text_.size() && text_[p] == '=') ++p;
    size_t end = p;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    if (p < text_.size() && text_[p] != ',') return std::nullopt;
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = p;
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool Challenge::Is(std::string_view name) const {
  return base::AsciiLower(scheme) == base::AsciiLower(name);
}

std::string Challenge::Param(const std::string& name) const {
  auto it = params.find(base::AsciiLower(name));
  return it == params.end() ? std::string() : it->second;
}

base::Result<std::vector<Challenge>> ParseChallenges(std::string_view header) {
  return ChallengeParser(header).Parse();
}

}  // namespace imagepin::registry
