// Every code of every error category: its value, its coarse condition and its message, compared with
// tests/core/error_catalogue.txt. The file was written from the categories as they stood before they
// became table-driven, so this test proves that the change kept every value, text and mapping; it also
// guards docs/errors.md, which quotes them. A deliberate change edits the file in the same commit.
#include "realmwire/error.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace realmwire;

// One line per value: "<category> <value> <condition category>:<condition value> <message>".
template <class E>
void render(std::ostream& out, int first, int last)
{
    for (int v = first; v <= last; ++v) {
        std::error_code ec = make_error_code(static_cast<E>(v));
        std::error_condition cond = ec.default_error_condition();
        out << ec.category().name() << ' ' << v << ' ' << cond.category().name() << ':' << cond.value() << ' '
            << ec.message() << '\n';
    }
}

// Each range runs from 0 (never a valid code) to one past the last enumerator, so the answers for
// unknown values are pinned too.
std::string render_all()
{
    std::ostringstream out;
    render<path_error>(out, 0, static_cast<int>(path_error::unexpanded_user_segment) + 1);
    render<url_error>(out, 0, static_cast<int>(url_error::fragment_not_allowed) + 1);
    render<http_error>(out, 0, static_cast<int>(http_error::unexpected_eof) + 1);
    render<handshake_error>(out, 0, static_cast<int>(handshake_error::refused) + 1);
    render<websocket_error>(out, 0, static_cast<int>(websocket_error::payload_too_big) + 1);
    render<message_error>(out, 0, static_cast<int>(message_error::invalid_message) + 1);
    render<protocol::protocol_error>(out, 99, 300);
    render<changeset_error>(out, 0, static_cast<int>(changeset_error::invalid_model) + 1);
    render<merge_error>(out, 0, static_cast<int>(merge_error::reciprocal_history_too_large) + 1);
    render<auth_error>(out, 0, static_cast<int>(auth_error::server_busy) + 1);
    render<transport_error>(out, 0, static_cast<int>(transport_error::bad_proxy_url) + 1);
    render<endpoint_error>(out, 0, static_cast<int>(endpoint_error::token_expired) + 1);
    render<apply_error>(out, 0, static_cast<int>(apply_error::table_is_link_target) + 1);
    render<query_error>(out, 0, static_cast<int>(query_error::malformed_subscriptions) + 1);
    return out.str();
}

std::vector<std::string> lines_of(std::istream& in)
{
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("every error code keeps its value, condition and message (error_catalogue.txt)")
{
    std::ifstream file(REALMWIRE_SOURCE_DIR "/tests/core/error_catalogue.txt");
    REQUIRE(file);
    std::vector<std::string> expected = lines_of(file);
    std::istringstream rendered(render_all());
    std::vector<std::string> actual = lines_of(rendered);
    REQUIRE(expected.size() > 400);
    for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
        INFO("line " << i + 1);
        CHECK(actual[i] == expected[i]);
    }
    CHECK(actual.size() == expected.size());
}

namespace {

// What every area's table must hold: distinct codes, a message for each, and a category that answers
// each code from its own row (message, condition, and make_error_code's round trip).
template <class E>
void check_table()
{
    using traits = error_enum_traits<E>;
    INFO(traits::category_name);
    CHECK(std::string(traits::unknown_message).rfind("unknown ", 0) == 0);
    std::size_t count = 0;
    for (const auto& row : traits::rows) {
        ++count;
        INFO("code " << static_cast<int>(row.code));
        CHECK(static_cast<int>(row.code) != 0);
        CHECK(row.message != nullptr);
        CHECK_FALSE(std::string(row.message).empty());
        CHECK(std::string(row.message) != traits::unknown_message);
        std::error_code ec = make_error_code(row.code);
        CHECK(ec.category() == error_category_for<E>());
        CHECK(ec == row.code);
        CHECK(ec.message() == row.message);
        CHECK(ec == row.cond);
        CHECK(ec.default_error_condition() == make_error_condition(row.cond));
        for (const auto& other : traits::rows) {
            if (&other != &row)
                CHECK(other.code != row.code);
        }
    }
    CHECK(count > 0);
    // A value no row names gets the area's fallback answers.
    std::error_code unknown(0, error_category_for<E>());
    CHECK(unknown.message() == traits::unknown_message);
    CHECK(unknown == traits::unknown_condition);
}

} // namespace

TEST_CASE("every error table has distinct codes, a message each, and answers from its rows")
{
    check_table<path_error>();
    check_table<url_error>();
    check_table<http_error>();
    check_table<handshake_error>();
    check_table<websocket_error>();
    check_table<message_error>();
    check_table<protocol::protocol_error>();
    check_table<changeset_error>();
    check_table<merge_error>();
    check_table<auth_error>();
    check_table<transport_error>();
    check_table<endpoint_error>();
    check_table<apply_error>();
    check_table<query_error>();
}
