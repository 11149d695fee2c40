// Many scopes in one token request (Docker token spec: "scope ... should be specified multiple
// times if there is more than one scope entry"), and what a token response says it granted.
//
// The one thing to know: a token server answers a multi-scope request with 200 even when it
// grants only part of it ("If the client only has a subset of the requested access it must not
// be considered an error"), so a 200 says nothing about coverage. A JWT's `access` claim does;
// an opaque token (GHCR's, for one) does not, and then only the registry's 401 can tell.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace imagepin::registry {

// A batch's scope parameters ("scope=<escaped>&", about a name's length plus 26 bytes each) are
// kept under 2,000 bytes whatever ClientOptions::max_scopes_per_token_request says: the whole
// URL then stays under 2,048 (IIS's default maxQueryString, the smallest limit in common use)
// plus the realm, and far under the 8 KiB request line of nginx and Apache. A server that still
// refuses the URL answers 414 or another 4xx, which is a fallback to one scope per request.
inline constexpr size_t kMaxTokenScopeBytes = 2000;

// `scopes` cut, in order, into batches of at most `max_count` scopes whose escaped scope
// parameters take at most kMaxTokenScopeBytes (a scope longer than that alone is a batch of
// its own). Empty scopes are left out.
std::vector<std::vector<std::string>> BatchScopes(const std::vector<std::string>& scopes,
                                                  size_t max_count);

// The scope parameters of a token request: for a GET query each scope as its own `scope=`
// ("scope=a&scope=b", the token spec), for an OAuth2 POST form one `scope=` holding the scopes
// space-separated (the OAuth2 spec: "may contain multiple scopes using the scope list format").
std::string ScopeQuery(const std::vector<std::string>& scopes);
std::string ScopeForm(const std::vector<std::string>& scopes);

// The access a JWT bearer token grants, from its `access` claim (distribution's token format:
// [{"type": "repository", "name": "acme/api", "actions": ["pull"]}]) as "type:name:action"
// strings. nullopt when the token cannot tell: not a JWT, no readable payload, or no `access`
// array. The signature is not checked: this only decides whether to ask again, never whether
// to trust; the registry checks the token.
std::optional<std::set<std::string>> GrantedAccess(std::string_view token);

// Whether `granted` (GrantedAccess) covers `scope` ("repository:acme/api:pull" or
// "...:pull,push"): every action it names granted for its type and name, or "*" granted.
bool CoversScope(const std::set<std::string>& granted, std::string_view scope);

}  // namespace imagepin::registry
