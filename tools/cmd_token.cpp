// `realmwire token sign|verify|decode`: Realm access tokens (legacy `base64:base64` and JWT RS256).
//
//   token sign   --private-key PEM --claims FILE.json [--format legacy|jwt]
//                prints the token; the claim bytes are signed exactly as they are in the file
//   token verify --public-key PEM (--token T | --token-file F) [--path P] [--now UNIX_SECONDS]
//                prints each check's verdict; exit 0 only when valid (for P, when given)
//   token decode (--token T | --token-file F)
//                prints the claims WITHOUT checking anything
#include "command.hpp"

#include <realmwire/auth/verifier.hpp>
#include <realmwire/detail/ascii.hpp>

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>

namespace {

using namespace realmwire::auth;

std::string strip_newline(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

/// Every option of every action, read before the action word (args::positional() must come last).
struct options {
    std::optional<std::string> private_key, claims, format, public_key, token, token_file, path, now;
    explicit options(realmwire_tool::args& a)
        : private_key(a.value("private-key"))
        , claims(a.value("claims"))
        , format(a.value("format"))
        , public_key(a.value("public-key"))
        , token(a.value("token"))
        , token_file(a.value("token-file"))
        , path(a.value("path"))
        , now(a.value("now"))
    {
    }
};

void only(const options& o, std::initializer_list<const char*> allowed)
{
    auto check = [&](const std::optional<std::string>& v, const char* name) {
        if (!v)
            return;
        for (const char* n : allowed) {
            if (std::string(n) == name)
                return;
        }
        throw realmwire_tool::usage_error(std::string("--") + name + " does not apply here");
    };
    check(o.private_key, "private-key");
    check(o.claims, "claims");
    check(o.format, "format");
    check(o.public_key, "public-key");
    check(o.token, "token");
    check(o.token_file, "token-file");
    check(o.path, "path");
    check(o.now, "now");
}

std::string need(const std::optional<std::string>& v, const char* name)
{
    if (!v)
        throw realmwire_tool::usage_error(std::string("missing --") + name);
    return *v;
}

std::string token_arg(const options& o)
{
    const auto& t = o.token;
    const auto& f = o.token_file;
    if (t && f)
        throw realmwire_tool::usage_error("give --token or --token-file, not both");
    if (t)
        return *t;
    if (f)
        return strip_newline(realmwire_tool::read_input(*f));
    throw realmwire_tool::usage_error("missing --token or --token-file");
}

int sign(const options& o)
{
    only(o, {"private-key", "claims", "format"});
    std::string key_path = need(o.private_key, "private-key");
    std::string claims_path = need(o.claims, "claims");
    std::string format = o.format.value_or("legacy");
    if (format != "legacy" && format != "jwt")
        throw realmwire_tool::usage_error("--format must be legacy or jwt");
    std::error_code ec;
    rsa_key key = rsa_key::from_private_pem(realmwire_tool::read_input(key_path), ec);
    if (ec) {
        std::fprintf(stderr, "realmwire token sign: %s: %s\n", key_path.c_str(), ec.message().c_str());
        return 1;
    }
    std::string claims_json = strip_newline(realmwire_tool::read_input(claims_path));
    parse_claims(claims_json, ec);
    if (ec) {
        std::fprintf(stderr, "realmwire token sign: %s: %s\n", claims_path.c_str(), ec.message().c_str());
        return 1;
    }
    std::string token = sign_token(claims_json, key, format == "jwt" ? token_format::jwt : token_format::legacy, ec);
    if (ec) {
        std::fprintf(stderr, "realmwire token sign: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("%s\n", token.c_str()); // the user asked for the token
    return 0;
}

int verify(const options& o)
{
    only(o, {"public-key", "token", "token-file", "path", "now"});
    std::string key_path = need(o.public_key, "public-key");
    std::string token = token_arg(o);
    auto path = o.path;
    std::int64_t now = system_unix_now();
    if (auto n = o.now) {
        std::uint64_t v = 0;
        if (!realmwire::detail::parse_decimal(*n, v, std::uint64_t{1} << 62))
            throw realmwire_tool::usage_error("--now must be Unix seconds");
        now = static_cast<std::int64_t>(v);
    }
    std::error_code ec;
    rsa_key key = rsa_key::from_public_pem(realmwire_tool::read_input(key_path), ec);
    if (ec) {
        std::fprintf(stderr, "realmwire token verify: %s: %s\n", key_path.c_str(), ec.message().c_str());
        return 2;
    }
    token_verifier verifier(key, [now] { return now; });
    verify_request req = path ? verify_request::sync(*path) : verify_request{};
    verification v = verifier.verify(token, req);
    if (v[token_check::json] == check_verdict::passed)
        std::printf("%s\n", describe_claims(v.token_claims).c_str());
    std::printf("format: %s\n", v[token_check::format] == check_verdict::passed ? to_string(v.format) : "?");
    for (std::size_t i = 0; i < token_check_count; ++i) {
        auto c = static_cast<token_check>(i);
        std::printf("check %-9s %s\n", to_string(c), to_string(v[c]));
    }
    if (v.valid()) {
        std::printf("VALID%s%s\n", path ? " for " : "", path ? path->c_str() : "");
        return 0;
    }
    std::printf("INVALID (%s): %s\n", v.realm_core_verdict(), v.error.message().c_str());
    return 1;
}

int decode(const options& o)
{
    only(o, {"token", "token-file"});
    std::string token = token_arg(o);
    std::error_code ec;
    decoded_token d = decode_token_parts(token, ec);
    claims c;
    if (!ec)
        c = parse_claims(d.claims_json, ec);
    if (ec) {
        std::fprintf(stderr, "realmwire token decode: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("%s\nformat: %s\nkind: %s\nclaims: %s\n(signature NOT checked)\n", describe_claims(c).c_str(),
                to_string(d.format), to_string(c.kind()), d.claims_json.c_str());
    return 0;
}

int run(realmwire_tool::args& a)
{
    options o(a);
    auto pos_first = a.positional();
    a.finish();
    if (pos_first.size() != 1)
        throw realmwire_tool::usage_error("usage: realmwire token sign|verify|decode [options]");
    const std::string& action = pos_first[0];
    if (action == "sign")
        return sign(o);
    if (action == "verify")
        return verify(o);
    if (action == "decode")
        return decode(o);
    throw realmwire_tool::usage_error("unknown action " + action + " (sign, verify, decode)");
}

realmwire_tool::registration reg{"token", "sign, verify or decode a Realm access token (legacy or JWT)", run};

} // namespace
