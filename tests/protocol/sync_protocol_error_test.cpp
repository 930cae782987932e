#include <realmwire/errors/sync_protocol.hpp>

#include <catch2/catch.hpp>

#include <string>

using realmwire::protocol::protocol_error;

TEST_CASE("ProtocolError codes as std::error_code")
{
    std::error_code ec = protocol_error::illegal_realm_path;
    CHECK(ec.value() == 204);
    CHECK(std::string(ec.category().name()) == "realmwire.sync_protocol");
    CHECK(ec.message() == "Illegal Realm path (BIND)");
    CHECK(ec == realmwire::condition::protocol_violation);
    CHECK(std::error_code(protocol_error::token_expired) == realmwire::condition::unauthorized);
    CHECK(std::error_code(protocol_error::permission_denied) == realmwire::condition::forbidden);
    CHECK(std::error_code(protocol_error::limits_exceeded) == realmwire::condition::limit_exceeded);
    CHECK(std::error_code(protocol_error::switch_to_pbs) == realmwire::condition::unsupported);
    auto unknown = realmwire::make_sync_protocol_error_code(299);
    CHECK(unknown.value() == 299);
    CHECK(unknown.message() == "unknown ProtocolError code");
    CHECK(realmwire::make_sync_protocol_error_code(103) == protocol_error::bad_syntax);
    CHECK(realmwire::make_sync_protocol_error_code(103) != realmwire::message_error::bad_delimiter);
}
