#include <realmwire/protocol/json_bodies.hpp>

#include <realmwire/protocol/protocol_error.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace realmwire::protocol;
using realmwire::message_error;

namespace {

const std::string minimal_json_error =
    R"({"isRecoveryModeDisabled":false,"tryAgain":true,"message":"m","logURL":"http://log","shouldClientReset":false,"action":"Transient"})";

std::error_code json_error_ec(const std::string& json, int code, std::string_view* field = nullptr)
{
    std::error_code ec;
    realmwire::error_info info;
    parse_json_error_body(json, code, ec, &info);
    if (field)
        *field = info.field;
    return ec;
}

} // namespace

TEST_CASE("JSON_ERROR body: required keys, types, action")
{
    auto b = parse_json_error_body(minimal_json_error, 201);
    CHECK_FALSE(b.is_recovery_mode_disabled);
    CHECK(b.try_again);
    CHECK(b.message == "m");
    CHECK(b.log_url == "http://log");
    CHECK_FALSE(b.should_client_reset);
    CHECK(b.parsed_action() == error_action::transient);
    CHECK_FALSE(b.backoff);

    for (const char* key : {"isRecoveryModeDisabled", "tryAgain", "message", "logURL", "shouldClientReset", "action"}) {
        INFO(key);
        auto obj = realmwire::detail::parse_json(minimal_json_error)->get<realmwire::picojson::object>();
        obj.erase(key);
        std::string_view field;
        CHECK(json_error_ec(realmwire::picojson::value(obj).serialize(), 201, &field) == message_error::json_missing_key);
        CHECK(field == key);
        obj = realmwire::detail::parse_json(minimal_json_error)->get<realmwire::picojson::object>();
        obj[key] = realmwire::picojson::value(std::int64_t(5));
        CHECK(json_error_ec(realmwire::picojson::value(obj).serialize(), 201, &field) == message_error::json_wrong_type);
        CHECK(field == key);
    }
    CHECK(json_error_ec("{", 201) == message_error::json_syntax);
    CHECK(json_error_ec("[1]", 201) == message_error::json_not_object);
    CHECK(json_error_ec("", 201) == message_error::json_syntax);

    // Every action string, and realm-core's fallback for an unknown one.
    for (const char* a : {"ProtocolViolation", "ApplicationBug", "Warning", "Transient", "DeleteRealm", "ClientReset",
                          "ClientResetNoRecovery", "MigrateToFLX", "RevertToPBS", "RefreshUser", "RefreshLocation",
                          "LogOutUser", "MigrateSchema"}) {
        auto action = parse_error_action(a);
        REQUIRE(action);
        CHECK(to_string(*action) == a);
    }
    json_error_body unknown = b;
    unknown.action = "SomethingNew";
    CHECK(unknown.parsed_action() == error_action::application_bug);
}

TEST_CASE("JSON_ERROR body: backoff, 232 partitionQuery, 236 previousSchemaVersion, compensating writes")
{
    json_error_body b;
    b.try_again = true;
    b.message = "compensating write";
    b.action = "Warning";
    b.backoff = backoff_info{1, 300, 2};
    b.rejected_updates = {{"write not allowed", "Person", "AQI="}, {"r2", "Dog", ""}};
    b.rejected_client_version = 17;
    b.compensating_write_server_version = 42;
    std::string json = build_json_error_body(b);
    CHECK(parse_json_error_body(json, 231) == b);

    auto with = [](const std::string& extra) {
        return minimal_json_error.substr(0, minimal_json_error.size() - 1) + "," + extra + "}";
    };
    std::string_view field;
    CHECK(json_error_ec(with(R"("backoffIntervalSec":1)"), 201, &field) == message_error::json_missing_key);
    CHECK(field == "backoffMaxDelaySec");
    CHECK(json_error_ec(with(R"("backoffIntervalSec":1,"backoffMaxDelaySec":2)"), 201, &field) ==
          message_error::json_missing_key);
    CHECK(field == "backoffMultiplier");
    CHECK(json_error_ec(with(R"("backoffIntervalSec":1.5,"backoffMaxDelaySec":2,"backoffMultiplier":2)"), 201, &field) ==
          message_error::json_wrong_type);
    CHECK(field == "backoffIntervalSec");

    CHECK(json_error_ec(minimal_json_error, 232, &field) == message_error::json_missing_key);
    CHECK(field == "partitionQuery");
    CHECK(json_error_ec(with(R"("partitionQuery":"")"), 232, &field) == message_error::json_bad_value);
    auto migrate = parse_json_error_body(with(R"("partitionQuery":"Person: TRUEPREDICATE")"), 232);
    CHECK(migrate.partition_query == std::string("Person: TRUEPREDICATE"));

    CHECK(json_error_ec(minimal_json_error, 236, &field) == message_error::json_missing_key);
    CHECK(field == "previousSchemaVersion");
    CHECK(json_error_ec(with(R"("previousSchemaVersion":-1)"), 236, &field) == message_error::json_bad_value);
    CHECK(parse_json_error_body(with(R"("previousSchemaVersion":3)"), 236).previous_schema_version == 3u);

    CHECK(json_error_ec(with(R"("rejectedUpdates":[])"), 231, &field) == message_error::json_missing_key);
    CHECK(field == "rejectedClientVersion");
    CHECK(json_error_ec(with(R"("rejectedUpdates":[{"reason":"r","table":"t"}],"rejectedClientVersion":1)"), 231,
                        &field) == message_error::json_missing_key);
    CHECK(field == "pk");
    CHECK(json_error_ec(with(R"("rejectedUpdates":{},"rejectedClientVersion":1)"), 231, &field) ==
          message_error::json_wrong_type);
    CHECK(field == "rejectedUpdates");
}

TEST_CASE("client JSON_ERROR body is {\"message\":...}")
{
    CHECK(build_client_json_error_body("Bad changeset") == R"({"message":"Bad changeset"})");
}

TEST_CASE("LOG_MESSAGE body: levels, defaults, unknown level rejected")
{
    for (auto l : {log_level::fatal, log_level::error, log_level::warn, log_level::info, log_level::detail,
                   log_level::debug, log_level::trace}) {
        log_message_body b{l, "hello", std::nullopt};
        CHECK(parse_log_message_body(build_log_message_body(b)) == b);
    }
    CHECK(parse_log_message_body("{}").level == log_level::debug);
    CHECK(parse_log_message_body(R"({"level":""})").level == log_level::debug);
    std::error_code ec;
    realmwire::error_info info;
    parse_log_message_body(R"({"level":"verbose","msg":"x"})", ec, &info);
    CHECK(ec == message_error::json_bad_value);
    CHECK(info.field == "level");
    parse_log_message_body(R"({"msg":5})", ec, &info);
    CHECK(ec == message_error::json_wrong_type);
    CHECK(info.field == "msg");
    CHECK(build_log_message_body({log_level::info, "Client connection established with server", "6b07af259d2a4001a1767b58"}) ==
          R"({"co_id":"6b07af259d2a4001a1767b58","level":"info","msg":"Client connection established with server"})");
}

TEST_CASE("FLX BIND data: keys in realm-core's order, empty data for no keys")
{
    flx_bind_data d;
    CHECK(build_flx_bind_data(d).empty());
    CHECK(parse_flx_bind_data("") == d);
    d.schema_version = 0;
    d.session_reason = 0;
    CHECK(build_flx_bind_data(d) == R"({"schemaVersion":0,"sessionReason":0})");
    d.migrated_partition = "\"part\"";
    std::string json = build_flx_bind_data(d);
    CHECK(json == R"({"migratedPartition":"\"part\"","schemaVersion":0,"sessionReason":0})");
    CHECK(parse_flx_bind_data(json) == d);
    std::error_code ec;
    realmwire::error_info info;
    parse_flx_bind_data(R"({"schemaVersion":"1"})", ec, &info);
    CHECK(ec == message_error::json_wrong_type);
    CHECK(info.field == "schemaVersion");
    parse_flx_bind_data("/path", ec, &info);
    CHECK(ec == message_error::json_syntax);
}

TEST_CASE("ProtocolError table: every code, its level, its name")
{
    std::set<int> codes;
    std::set<std::string_view> names;
    for (auto* e = protocol_errors_begin(); e != protocol_errors_end(); ++e) {
        int c = static_cast<int>(e->code);
        CHECK(codes.insert(c).second);
        CHECK(names.insert(e->name).second);
        CHECK_FALSE(e->message.empty());
        CHECK((e->level == error_level::session) == is_session_level_error(c));
        CHECK(find_protocol_error(c) == e);
    }
    CHECK(codes.size() == 15 + 36);
    for (int c = 100; c <= 114; ++c)
        CHECK(is_known_protocol_error(c));
    for (int c = 200; c <= 236; ++c)
        CHECK(is_known_protocol_error(c) == (c != 213));
    for (int c : {0, 99, 115, 199, 213, 237, 299, 300, -1})
        CHECK_FALSE(is_known_protocol_error(c));
    CHECK(find_protocol_error(103)->message == "Bad syntax in input message head");
    CHECK(find_protocol_error(204)->message == "Illegal Realm path (BIND)");
    CHECK(find_protocol_error(231)->name == "compensating_write");
    CHECK(find_protocol_error(105)->obsolete);
    CHECK(is_session_level_error(299));
    CHECK_FALSE(is_session_level_error(199));
}
