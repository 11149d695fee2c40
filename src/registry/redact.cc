#include "registry/redact.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"
#include "registry/auth.h"

namespace imagepin::registry {
namespace {

// RFC 6750 b64token and RFC 7235 token68: what follows "Basic " or "Bearer ".
bool IsCredentialChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~+/=").find(c) != std::string_view::npos;
}

// A lower-case word ("bearer challenge", "Basic auth") is prose; base64 and tokens have
// capitals, digits or punctuation.
bool LooksLikeCredential(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) { return c < 'a' || c > 'z'; });
}

// Whether `text` at `pos` starts the word `scheme` (any case) followed by white space.
bool SchemeAt(std::string_view text, size_t pos, std::string_view scheme) {
  if (pos > 0 && std::isalnum(static_cast<unsigned char>(text[pos - 1]))) return false;
  if (text.size() - pos <= scheme.size()) return false;
  if (!base::EqualsIgnoringCase(text.substr(pos, scheme.size()), scheme)) return false;
  char after = text[pos + scheme.size()];
  return after == ' ' || after == '\t';
}

void ReplaceAll(std::string& text, std::string_view secret) {
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + std::string_view(kRedacted).size())) {
    text.replace(at, secret.size(), kRedacted);
  }
}

// A secret cut off by OneLine's "..." leaves its first part just before the dots.
void ReplaceCutPrefixes(std::string& text, std::string_view secret) {
  constexpr std::string_view kCut = "...";
  for (size_t dots = text.find(kCut); dots != std::string::npos; dots = text.find(kCut, dots + 1)) {
    // Two characters or fewer tell nothing, and would match ordinary text.
    for (size_t length = std::min(secret.size() - 1, dots); length > 2; --length) {
      if (std::string_view(text).substr(dots - length, length) == secret.substr(0, length)) {
        text.replace(dots - length, length, kRedacted);
        dots = dots - length + std::string_view(kRedacted).size();
        break;
      }
    }
  }
}

}  // namespace

std::string RedactAuthorizationValues(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view scheme;
    for (std::string_view candidate : {"Basic", "Bearer"}) {
      if (SchemeAt(text, pos, candidate)) scheme = candidate;
    }
    if (scheme.empty()) {
      out += text[pos++];
      continue;
    }
    size_t value = pos + scheme.size();
    while (value < text.size() && (text[value] == ' ' || text[value] == '\t')) ++value;
    size_t end = value;
    while (end < text.size() && IsCredentialChar(text[end])) ++end;
    out.append(text.substr(pos, value - pos));
    if (LooksLikeCredential(text.substr(value, end - value))) {
      out += kRedacted;
    } else {
      out.append(text.substr(value, end - value));
    }
    pos = end;
  }
  return out;
}

void SecretList::Add(std::string_view secret) {
  if (secret.empty()) return;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void SecretList::AddCredential(const Credential& credential) {
  Add(credential.password);
  Add(credential.identity_token);
  if (!credential.password.empty()) {
    Add(credential.username + ":" + credential.password);
    Add(BasicAuthorization(credential).substr(std::string_view("Basic ").size()));
  }
}

std::string SecretList::Redact(std::string_view text) const {
  std::string out(text);
  {
    std::lock_guard lock(mutex_);
    for (const std::string& secret : secrets_) ReplaceAll(out, secret);
    for (const std::string& secret : secrets_) ReplaceCutPrefixes(out, secret);
  }
  return RedactAuthorizationValues(out);
}

void SecretList::Scrub(RegistryError& error) const {
  error.message = Redact(error.message);
  error.code = Redact(error.code);
}

}  // namespace imagepin::registry
