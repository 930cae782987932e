// docs/paths.md: a realm path from a server URL to the legacy request line, and a strict decode.
// Compiled and run by the test `path.docs example` (tests/path/docs_example_test.cpp).
#include <realmwire/path.hpp>
#include <realmwire/url.hpp>

#include <iostream>

int main()
{
    realmwire::server_url url = realmwire::parse_server_url("realms://myROS.internal.com/~/foo");
    std::string path = realmwire::expand_user_path(url.path, "b920bd7068ef2b470ff4226e0e85716a");
    realmwire::validate_realm_path(path); // throws realmwire::system_error if invalid
    std::cout << "GET /realm-sync/" << realmwire::encode_realm_path(path) << " HTTP/1.1\r\n"
              << "Host: " << url.host_header() << "\r\n";

    std::error_code ec;
    realmwire::error_info where;
    realmwire::decode_realm_path("%252Fabc", ec, &where);
    std::cout << ec.message() << " at byte " << where.offset << "\n"; // double encoding, at byte 0
    return 0;
}
