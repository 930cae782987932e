#include "realmwire/auth/verifier.hpp"

#include "realmwire/auth/request.hpp"

#include "auth_test_util.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::auth;
using auth_test::read_vector;

namespace {

// realm-core produced the verdicts with the machine clock in Nov 2026.
constexpr std::int64_t vectors_now = 1795000000;

token_verifier vector_verifier()
{
    return token_verifier(rsa_key::from_public_pem(read_vector("test-public.pem")), [] { return vectors_now; });
}

} // namespace

TEST_CASE("every vector token gets realm-core's verdict, with and without --path")
{
    auto verdicts = realmwire::detail::parse_json(read_vector("verdicts.json"));
    REQUIRE(verdicts);
    auto verifier = vector_verifier();
    int checked = 0;
    for (const auto& entry : verdicts->get<realmwire::picojson::array>()) {
        const auto& o = entry.get<realmwire::picojson::object>();
        const std::string name = o.at("name").get<std::string>();
        const std::string token = read_vector(o.at("token_file").get<std::string>());
        for (const auto& check : o.at("checks").get<realmwire::picojson::array>()) {
            const auto& co = check.get<realmwire::picojson::object>();
            const std::string command = co.at("command").get<std::string>();
            verify_request req;
            auto p = command.find("--path ");
            if (p != std::string::npos)
                req = verify_request::sync(command.substr(p + 7));
            INFO(name << ": " << command);
            verification v = verifier.verify(token, req);
            CHECK(std::string(v.realm_core_verdict()) == co.at("verdict").get<std::string>());
            CHECK(v.valid() == (co.at("exit").get<std::int64_t>() == 0));
            // realm-core prints the claims for every token whose signature verified.
            const std::string output = co.at("output").get<std::string>();
            if (v[token_check::json] == check_verdict::passed)
                CHECK(output.compare(0, describe_claims(v.token_claims).size(), describe_claims(v.token_claims)) == 0);
            else
                CHECK(output == "INVALID: invalid_signature");
            ++checked;
        }
        // `decode` reads every token without a key, and prints the same claims.
        claims c = decode_token_unverified(token);
        CHECK(describe_claims(c) == o.at("decode").get<realmwire::picojson::object>().at("output").get<std::string>());
    }
    CHECK(checked == 18);
}

TEST_CASE("specific errors for each failing check")
{
    auto verifier = vector_verifier();
    SECTION("wrong key: signature")
    {
        auto v = verifier.verify(read_vector("wrong-signature.token"));
        CHECK(v.error == auth_error::token_signature);
        CHECK(v[token_check::format] == check_verdict::passed);
        CHECK(v[token_check::base64] == check_verdict::passed);
        CHECK(v[token_check::signature] == check_verdict::failed);
        CHECK(v[token_check::json] == check_verdict::skipped);
        CHECK(verifier.verify(read_vector("jwt-wrong-key.token")).error == auth_error::token_signature);
    }
    SECTION("expired, and not expired one second earlier (now > expires)")
    {
        auto token = read_vector("expired.token");
        CHECK(verifier.verify(token).error == auth_error::token_expired);
        token_verifier at_expiry(verifier.key(), [] { return std::int64_t{1700000000}; });
        CHECK(at_expiry.verify(token).valid());
        token_verifier after(verifier.key(), [] { return std::int64_t{1700000001}; });
        CHECK(after.verify(token).error == auth_error::token_expired);
        verify_request no_expiry;
        no_expiry.check_expiry = false;
        auto v = verifier.verify(token, no_expiry);
        CHECK(v.valid());
        CHECK(v[token_check::expiry] == check_verdict::not_requested);
    }
    SECTION("format")
    {
        CHECK(verifier.verify("").error == auth_error::token_format);
        CHECK(verifier.verify("abcdef").error == auth_error::token_format);
        CHECK(verifier.verify("abc.def").error == auth_error::token_format);
        CHECK(verifier.verify(":abcd").error == auth_error::token_format);
        CHECK(verifier.verify(std::string(40000, 'A') + ":AAAA").error == auth_error::token_format);
    }
    SECTION("base64")
    {
        CHECK(verifier.verify("a$bc:AAAA").error == auth_error::token_base64);
        CHECK(verifier.verify("eyJ9:AA=A").error == auth_error::token_base64);
        // a third '.' in a JWT ends up in the signature part, as in realm-core
        CHECK(verifier.verify("eyJ9.eyJ9.AAAA.AAAA").error == auth_error::token_base64);
    }
    SECTION("whitespace is refused unless realm-core's leniency is asked for")
    {
        std::string token = read_vector("access-u1-foo.token");
        std::string spaced = token.substr(0, 20) + " \n" + token.substr(20);
        CHECK(verifier.verify(spaced).error == auth_error::token_base64);
        token_limits lenient;
        lenient.skip_whitespace = true;
        token_verifier lv(verifier.key(), [] { return vectors_now; }, lenient);
        CHECK(lv.verify(spaced).valid());
    }
    SECTION("json: signed garbage and wrongly typed known claims")
    {
        auto priv = rsa_key::from_private_pem(read_vector("test-private.pem"));
        CHECK(verifier.verify(sign_token("not json", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token("[1,2]", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token(R"({"identity":5})", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token(R"({"expires":"soon"})", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token(R"({"access":"download"})", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token(R"({"admin":1})", priv)).error == auth_error::token_json);
        CHECK(verifier.verify(sign_token(R"({"identity":"x","other":{"a":[1]}})", priv)).valid());
    }
    SECTION("kind")
    {
        verify_request want_access;
        want_access.kind = token_kind::access;
        CHECK(verifier.verify(read_vector("refresh.token"), want_access).error == auth_error::token_kind);
        CHECK(verifier.verify(read_vector("access-u1-foo.token"), want_access).valid());
        verify_request want_refresh;
        want_refresh.kind = token_kind::refresh;
        CHECK(verifier.verify(read_vector("refresh.token"), want_refresh).valid());
    }
    SECTION("path: exact, ~ expanded, admins exempt; privilege separately")
    {
        auto t = read_vector("access-u1-foo.token");
        CHECK(verifier.verify(t, verify_request::sync("/u1/bar")).error == auth_error::token_path);
        CHECK(verifier.verify(t, verify_request::sync("/u1/foo/")).error == auth_error::token_path);
        CHECK(verifier.verify(t, verify_request::sync("/~/foo")).valid());
        CHECK(verifier.verify(read_vector("admin.token"), verify_request::sync("/anything")).valid());
        verify_request manage;
        manage.path = "/u1/foo";
        manage.privileges = privilege::manage;
        CHECK(verifier.verify(t, manage).error == auth_error::token_privilege);
        CHECK(verifier.verify(read_vector("refresh.token"), verify_request::sync("/u1/foo")).error ==
              auth_error::token_privilege);
    }
}

TEST_CASE("re-signing the vector claims reproduces the vector tokens byte for byte")
{
    auto priv = rsa_key::from_private_pem(read_vector("test-private.pem"));
    for (const char* name : {"admin", "refresh", "access-u1-foo", "expired"}) {
        INFO(name);
        CHECK(sign_token(read_vector(std::string(name) + ".json"), priv, token_format::legacy) ==
              read_vector(std::string(name) + ".token"));
    }
    CHECK(sign_token(read_vector("jwt-rs256.json"), priv, token_format::jwt) == read_vector("jwt-rs256.token"));
}

TEST_CASE("tokens realmwire signs pass realm-core's rules, JWT round trip")
{
    auto priv = rsa_key::from_private_pem(read_vector("test-private.pem"));
    auto verifier = vector_verifier();
    claims c;
    c.identity = "u2";
    c.app_id = "io.realmwire.test";
    c.has_access = true;
    c.access = privilege::download | privilege::upload;
    c.salt = "0a1b2c3d";
    c.expires = vectors_now + 360;
    c.path = "/u2/data";
    c.sync_label = "default";
    for (auto format : {token_format::legacy, token_format::jwt}) {
        INFO(to_string(format));
        std::string token = sign_claims(c, priv, format);
        auto d = decode_token_parts(token);
        CHECK(d.format == format);
        // Same scheme as the vectors: legacy halves are standard base64 with padding, JWT base64url.
        if (format == token_format::legacy) {
            CHECK(token.find('.') == std::string::npos);
            CHECK(d.claims_json == claims_to_json(c));
        }
        else {
            CHECK(token.find_first_of("+/=:") == std::string::npos);
            CHECK(*realmwire::detail::base64_decode(token.substr(0, token.find('.'))) == std::string(jwt_rs256_header));
        }
        CHECK(d.signature.size() == 256);
        auto v = verifier.verify(token, verify_request::sync("/u2/data"));
        REQUIRE(v.valid());
        CHECK(v.token_claims == c);
        CHECK(verifier.verify(token, verify_request::sync("/u2/other")).error == auth_error::token_path);
        // one flipped signature bit is caught
        std::string bad = token;
        bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
        CHECK(verifier.verify(bad).error == auth_error::token_signature);
    }
}

TEST_CASE("claims: realm-core aliases, stitch_data, null and double numbers")
{
    claims c = parse_claims(
        R"({"sub":"s","isAdmin":true,"iat":1.9,"exp":null,"syncLabel":"L","appId":"A","access":["download",7,"manage","x"]})");
    CHECK(c.identity == "s");
    CHECK(c.admin == true);
    CHECK(c.timestamp == 1);
    CHECK(c.expires_at() == 0);
    CHECK(c.sync_label == "L");
    CHECK(c.app_id == "A");
    CHECK(c.access == (privilege::download | privilege::manage));
    CHECK(c.kind() == token_kind::access);
    claims s = parse_claims(R"({"identity":"i","stitch_data":{"realm_path":"/p","realm_access":["upload"]}})");
    CHECK(s.path == "/p");
    CHECK(s.access == privilege::upload);
    CHECK(parse_claims(R"({"identity":"u"})").kind() == token_kind::user);
    CHECK(parse_claims(R"({"identity":"u","access":["refresh"]})").kind() == token_kind::refresh);
    std::error_code ec;
    parse_claims(R"({"exp":1e300})", ec);
    CHECK(ec == auth_error::token_json);
    // picojson throws on numbers beyond a double; that must come back as an error, not an exception
    parse_claims(R"({"timestamp":1764E02444800})", ec);
    CHECK(ec == auth_error::token_json);
    CHECK(parse_auth_request(R"({"provider":"x","data":1e400})", ec).provider.empty());
    CHECK(ec == auth_error::malformed_request);
    parse_claims(std::string(20000, ' ') + "{}", ec);
    CHECK(ec == auth_error::token_format);
    std::string deep = std::string(100, '[') + std::string(100, ']');
    parse_claims("{\"x\":" + deep + "}", ec);
    CHECK(ec == auth_error::token_json);
    // ROS's serialisation order round-trips
    claims r;
    r.app_id = "io.realm.Auth";
    r.identity = "u";
    r.has_access = true;
    r.refresh = true;
    r.salt = "4141b928";
    r.expires = 1900000000;
    r.admin = false;
    CHECK(claims_to_json(r) ==
          R"({"app_id":"io.realm.Auth","identity":"u","access":["refresh"],"salt":"4141b928","expires":1900000000,"is_admin":false})");
    CHECK(parse_claims(claims_to_json(r)) == r);
}

TEST_CASE("keys: PEM load errors, generation, PEM round trip")
{
    std::error_code ec;
    rsa_key::from_public_pem("not a pem", ec);
    CHECK(ec == auth_error::key_invalid);
    rsa_key::from_private_pem(read_vector("test-public.pem"), ec);
    CHECK(ec == auth_error::key_invalid);
    auto pub_from_priv = rsa_key::from_public_pem(read_vector("test-private.pem"), ec);
    CHECK(!ec);
    CHECK_FALSE(pub_from_priv.has_private());
    auto k = rsa_key::generate(2048);
    CHECK(k.bits() == 2048);
    auto pub = rsa_key::from_public_pem(k.public_pem());
    auto again = rsa_key::from_private_pem(k.private_pem());
    std::string sig = rs256_sign(again, "hello");
    CHECK(rs256_verify(pub, "hello", sig));
    CHECK_FALSE(rs256_verify(pub, "hellO", sig));
    CHECK_FALSE(rs256_verify(rsa_key::from_public_pem(read_vector("test-public.pem")), "hello", sig));
    rs256_sign(pub, "x", ec);
    CHECK(ec == auth_error::key_invalid);
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

TEST_CASE("keys: generated on first start like ROS, reused after")
{
    auth_test::temp_dir dir;
    auto kp = load_or_generate_keys(dir.path + "/keys");
    CHECK(kp.private_key.has_private());
    auto kp2 = load_or_generate_keys(dir.path + "/keys");
    CHECK(kp2.public_key.public_pem() == kp.public_key.public_pem());
    std::remove((dir.path + "/keys/auth.pub").c_str());
    std::error_code ec;
    load_or_generate_keys(dir.path + "/keys", ec);
    CHECK(ec == auth_error::key_invalid);
}
