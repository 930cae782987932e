// The POST /auth body parser: never crashes (deep nesting, huge numbers, odd types), and a request it
// accepts survives a round trip through to_json() unchanged. The whole sans-I/O service then answers
// the same body with a well-formed response: 200 or a ROS problem code.
#include "fuzz_common.hpp"

#include <realmwire/auth/request.hpp>
#include <realmwire/auth/server.hpp>

namespace {

/// A fresh service (and empty user store) per input, so runs do not pile up users; the key is made once.
realmwire::auth::auth_service make_service()
{
    using namespace realmwire::auth;
    static const key_pair kp = [] {
        // A small key keeps signing fast; the service's behaviour does not depend on the key size.
        rsa_key priv = rsa_key::generate(1024);
        return key_pair{priv, rsa_key::from_public_pem(priv.public_pem())};
    }();
    auth_service_config cfg;
    cfg.clock = [] { return std::int64_t{1795000000}; };
    cfg.enable_nickname = true; // the development providers parse requests too
    cfg.enable_anonymous = true;
    cfg.login.enabled = false;  // the brakes would turn later inputs into 429s
    auth_service s(kp, std::make_shared<memory_user_store>(), cfg);
    // cheap password hashing: the fuzzer is after parsing, not PBKDF2
    s.add_provider(std::make_shared<password_provider>(password_policy{1, 8, 16}));
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire::auth;
    std::string_view body(reinterpret_cast<const char*>(data), size);
    std::error_code ec;
    request_problem why;
    auth_request r = parse_auth_request(body, ec, &why);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(why.kind != nullptr);
    }
    else {
        REALMWIRE_FUZZ_CHECK(!r.provider.empty());
        std::string once = to_json(r);
        auth_request again = parse_auth_request(once, ec);
        REALMWIRE_FUZZ_CHECK(!ec);
        REALMWIRE_FUZZ_CHECK(to_json(again) == once);
    }

    realmwire::http::request req;
    req.method = "POST";
    req.target = "/auth";
    req.body = std::string(body);
    realmwire::http::response res = make_service().handle(req);
    if (res.status == 200) {
        REALMWIRE_FUZZ_CHECK(!ec);
    }
    else {
        problem p = parse_problem(res);
        REALMWIRE_FUZZ_CHECK(find_problem(p.code) != nullptr);
        REALMWIRE_FUZZ_CHECK(p.status == res.status);
    }
    return 0;
}
