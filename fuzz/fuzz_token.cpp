// Token parsing, both encodings: decode_token_parts, parse_claims and the full verifier never crash,
// and their answers agree with each other.
//   * the verifier's first failing check is consistent with what decoding alone says;
//   * decoded claim bytes re-encoded (standard base64 / base64url) decode to the same bytes;
//   * claims that parse are written by claims_to_json into JSON that parses back to equal claims;
//   * a JWT or legacy token re-signed with the test key verifies and yields the same claims.
#include "fuzz_common.hpp"

#include <realmwire/auth/verifier.hpp>

namespace {

// The test key pair of vectors/tokens (a test key; it protects nothing).
const char* const private_pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCRbsl/EdpDG/SR
lyJW1izZ6yBm3SMOEMjOA2zogqVfPhQ1AtPN3O+YoLB98pNNbCQ7IKoMdEvOPgXK
HntSoWMMd6AE68PwVyJyvRb90XlsnY9KOha9Boka4mHpxDDcApc3cW5Mk2eLSKwV
cxotvfP6u2TSMlEggit5rp4du+MlbeYIXCSrtW8M0L7e8qEvtQ0CAWuqtcanskC3
JQBSWYPdVVSlSgNOwTnbFNRWPUnxtRQEOzqgfiJpPlGJVd+uYhDfn7BV/KPAzX+s
rpwEmY3iGG73ZFri1Vui0fmFdNTuHwgO+657MhJzv69wlWV+biwRfugxryHPtAiX
i3iC3cf5AgMBAAECggEALEnmxvGy3DkJM8UoyfUTV5HJHko9wKzP2h0k73HJ1sVa
9gHUap7bwEk/NjvHLA7AwdjisERCSZ6NuM2rlLBdL5DGhHkgBHMkpHh9JfLC3Zbl
6h7iidIRssQ6OSxsDLQlRNcgVeWV5M7OyQFyeXedcz/aJkD4f8PkZXwN3tQ3ClCF
7gYiuf+jNfrg2Cg4ehytsnTQF1pQJJtYs65hda/KDflFLENTLYXkw1JJ7YGNY5WK
wT/L4eZVRoUkHMWTFhD0VjMyr/GCk1F3aGGYBdcA6+dU1HIzys+WHkmwVVS8j9N0
KdBqJsVCTEiuJmut0bvSa3XYfAa30uZMhuP8QnKjeQKBgQDFS4UZnZ3RWs/8FVaP
tABBCCFkkHtCBZr7972mdu1zCEfxk7nK/HIGG2PG9a5wPRSMB0IRrnXsp267HHse
N4XfbBHc1BMxUpohX+K939uAfGFI9EV+z5A1zGY0pw56K3DHIpzlQKWla/95AqUg
6NK8ubgd2flkZ77zfRs3wmYkDwKBgQC8tMiq2e7p10bjVDrBSPKzt/a5cjDGrhp7
8Q5EIJ7JajZrIUHUNZA0lGz5/Eif0NwsD2lN3YGWy3OPHW8juSYzDYJFRIuZNWB1
Y/Lu9D5P2tkHILY9eFQktd5h7zB7lxg0SQzfqR/RwNS66uaX49soPVLwLwh5vG8Z
gB+17uOrdwKBgFO9AfklVN6O1MgBpoPHunPfp4yvZiFXj7hyJiSJRa8VTLPUJ39o
Nl0xMuA3Vpp80kO8sOYgThzr06vHItpoZoG1tL8tpBfDH3ga4noEkX2vTPtR8k0o
e+TZpGekoBhqZ6udnUoQbj4P4JbT8JJPP2Kq0OKaqadcAUgHSY4ZDJExAoGBAKH9
Bq0zO1XdCOsoaO928XC5IMB8d8Z1uiJfAYIWBnicBm7cM6g4+rtIFmxZ1vXp0ra3
3AuNdCrAJ0jZWYhu7Y2xsPxJJRS1r0HWNLpPTBY8pUTrHcWSv5hrzqR/MT1GrO5l
LvnoMnpab8Ks1pnYbU8TpVis5zepPC3FwHLqyOFtAoGAdDZAqDNAARKsDPGcho9e
0jhVIaWz0ZExZevpzxcLht5+25UvYnJSJEb7M9K5aEVbS9z9kLkG5Hc4G+41rs3d
xpq7EJ2agWWbLU+DFDHktumMYfsYIPYQmhMrEgzzjWKk5b5O86pLQ4r3E+3lJBNH
vgzl/jxC4qvy7BNsPYF0bmU=
-----END PRIVATE KEY-----
)";

struct keys {
    realmwire::auth::rsa_key priv;
    realmwire::auth::token_verifier verifier;
};

const keys& test_keys()
{
    static const keys k = [] {
        auto priv = realmwire::auth::rsa_key::from_private_pem(private_pem);
        return keys{priv, realmwire::auth::token_verifier(priv, [] { return std::int64_t{1795000000}; })};
    }();
    return k;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire::auth;
    namespace d = realmwire::detail;
    std::string_view token(reinterpret_cast<const char*>(data), size);
    const keys& k = test_keys();

    std::error_code ec;
    decoded_token parts = decode_token_parts(token, ec);
    verification v = k.verifier.verify(token, verify_request::sync("/u1/foo"));
    if (ec == realmwire::auth_error::token_format) {
        REALMWIRE_FUZZ_CHECK(v.failed_check == token_check::format);
        return 0;
    }
    if (ec) {
        REALMWIRE_FUZZ_CHECK(ec == realmwire::auth_error::token_base64);
        REALMWIRE_FUZZ_CHECK(v.failed_check == token_check::base64);
        return 0;
    }
    REALMWIRE_FUZZ_CHECK(v[token_check::base64] == check_verdict::passed);
    for (auto alphabet : {d::base64_alphabet::standard, d::base64_alphabet::url}) {
        auto again = d::base64_decode(d::base64_encode(parts.claims_json, alphabet, alphabet == d::base64_alphabet::standard));
        REALMWIRE_FUZZ_CHECK(again && *again == parts.claims_json);
    }

    claims c = parse_claims(parts.claims_json, ec);
    if (!ec) {
        std::error_code ec2;
        claims back = parse_claims(claims_to_json(c), ec2);
        REALMWIRE_FUZZ_CHECK(!ec2);
        REALMWIRE_FUZZ_CHECK(back == c);
        // Signed by the key the verifier trusts, the same claim bytes must verify in either format
        // (only for small inputs: RSA signing is slow).
        if (parts.claims_json.size() < 512) {
            for (auto format : {token_format::legacy, token_format::jwt}) {
                std::string t = sign_token(parts.claims_json, k.priv, format);
                verify_request no_expiry;
                no_expiry.check_expiry = false;
                verification ok = k.verifier.verify(t, no_expiry);
                REALMWIRE_FUZZ_CHECK(ok.valid());
                REALMWIRE_FUZZ_CHECK(ok.token_claims == c);
            }
        }
    }
    // Whatever the fuzzer made, it did not sign it with our key... unless it replayed a signature
    // taken from the seeds, in which case the claim check must agree with parse_claims.
    if (v[token_check::signature] == check_verdict::passed)
        REALMWIRE_FUZZ_CHECK((v[token_check::json] == check_verdict::passed) == !ec);
    return 0;
}
