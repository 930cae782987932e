#ifndef REALMWIRE_MERGE_SCENARIO_HPP
#define REALMWIRE_MERGE_SCENARIO_HPP

// Replays a merge scenario (tests/vectors/merge/README.md): a star of one server and a few clients,
// recorded event by event with the bytes realm-core produced. Every server integration is transformed
// as a server must (against the other clients' entries its author had not seen, with a reciprocal
// history per client) and every client integration as a client must (against its own uploads the
// server had not integrated when it sent the changeset); each result is compared byte for byte.
//
// Needs realmwire::json (picojson).

#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/print.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/merge/transformer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace realmwire::merge::scenario {

/// A malformed scenario file: says which event and field.
struct format_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct event {
    enum kind_t { server_integrate, client_integrate } kind = server_integrate;
    std::uint64_t origin_file_ident = 0;
    std::uint64_t client_file_ident = 0; ///< client_integrate: the receiver
    std::uint64_t client_version = 0;
    std::uint64_t server_version = 0;
    std::uint64_t last_integrated_version = 0; ///< of the server (server_integrate) or client (client_integrate)
    std::uint64_t origin_timestamp = 0;
    std::string input;    ///< upload / changeset as received (bytes)
    std::string expected; ///< integrated / transformed (bytes)
};

struct scenario {
    std::uint64_t server_file_ident = 1;
    std::vector<event> events;
    std::vector<std::string> final_state;
};

/// Reports a malformed scenario file: the throwing forms throw format_error(why); without exceptions
/// they call realmwire::throw_exception with the code and the same text.
[[noreturn]] inline void throw_format_error(std::error_code ec, const std::string& why)
{
#ifndef REALMWIRE_NO_EXCEPTIONS
    (void)ec;
    throw format_error(why);
#else
    throw_error(ec, why);
#endif
}

/// Hex digits to bytes. On odd length or a non-hex digit: message_error::json_bad_value, `why` (if
/// given) "<where>: odd-length hex" or "<where>: not hex", and an empty result.
inline std::string from_hex(std::string_view hex, const std::string& where, std::error_code& ec,
                            std::string* why = nullptr)
{
    ec.clear();
    auto fail = [&](const char* what) {
        ec = message_error::json_bad_value;
        if (why)
            *why = where + what;
        return std::string();
    };
    if (hex.size() % 2)
        return fail(": odd-length hex");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = nibble(hex[2 * i]);
        int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(": not hex");
        out[i] = static_cast<char>(hi * 16 + lo);
    }
    return out;
}

/// Throwing form: format_error.
inline std::string from_hex(std::string_view hex, const std::string& where)
{
    std::error_code ec;
    std::string why;
    std::string out = from_hex(hex, where, ec, &why);
    if (ec)
        throw_format_error(ec, why);
    return out;
}

inline std::string to_hex(std::string_view bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

/// Parses a scenario file's text. On malformed input: `ec` (message_error::json_syntax,
/// json_not_object, json_missing_key, json_wrong_type or json_bad_value), `why` (if given) naming the
/// event and field, and an empty scenario.
inline scenario parse(std::string_view text, std::error_code& ec, std::string* why = nullptr)
{
    ec.clear();
    std::string reason;
    auto fail = [&](message_error e, std::string what) {
        ec = e;
        reason = std::move(what);
        return false;
    };
    auto member = [&](const picojson::object& obj, const std::string& key, const std::string& where,
                      const picojson::value*& out) {
        out = realmwire::detail::json_member(obj, key);
        return out ? true : fail(message_error::json_missing_key, where + ": missing \"" + key + "\"");
    };
    auto uint = [&](const picojson::object& obj, const std::string& key, const std::string& where,
                    std::uint64_t& out) {
        const picojson::value* v = nullptr;
        if (!member(obj, key, where, v))
            return false;
        if (!v->is<std::int64_t>() || v->get<std::int64_t>() < 0)
            return fail(message_error::json_wrong_type, where + ": \"" + key + "\" is not a non-negative integer");
        out = static_cast<std::uint64_t>(v->get<std::int64_t>());
        return true;
    };
    auto str = [&](const picojson::object& obj, const std::string& key, const std::string& where, std::string& out) {
        const picojson::value* v = nullptr;
        if (!member(obj, key, where, v))
            return false;
        if (!v->is<std::string>())
            return fail(message_error::json_wrong_type, where + ": \"" + key + "\" is not a string");
        out = v->get<std::string>();
        return true;
    };
    auto hex = [&](const picojson::object& obj, const std::string& key, const std::string& where, std::string& out) {
        std::string digits;
        if (!str(obj, key, where, digits))
            return false;
        out = from_hex(digits, where + " " + key, ec, &reason);
        return !ec;
    };
    auto read = [&](scenario& s) {
        std::string err;
        auto root = realmwire::detail::parse_json(text, &err);
        if (!root)
            return fail(message_error::json_syntax, "not a JSON object" + (err.empty() ? std::string() : ": " + err));
        if (!root->is<picojson::object>())
            return fail(message_error::json_not_object, "not a JSON object");
        const auto& o = root->get<picojson::object>();
        if (!uint(o, "server_file_ident", "file", s.server_file_ident))
            return false;
        const picojson::value* evs = nullptr;
        if (!member(o, "events", "file", evs))
            return false;
        if (!evs->is<picojson::array>())
            return fail(message_error::json_wrong_type, "file: \"events\" is not an array");
        std::size_t i = 0;
        for (const auto& ev : evs->get<picojson::array>()) {
            const std::string where = "event " + std::to_string(i++);
            if (!ev.is<picojson::object>())
                return fail(message_error::json_wrong_type, where + ": not an object");
            const auto& e = ev.get<picojson::object>();
            event x;
            std::string kind;
            if (!str(e, "event", where, kind) || !uint(e, "origin_file_ident", where, x.origin_file_ident) ||
                !uint(e, "origin_timestamp", where, x.origin_timestamp) ||
                !uint(e, "client_version", where, x.client_version) ||
                !uint(e, "server_version", where, x.server_version))
                return false;
            if (kind == "server_integrate") {
                x.kind = event::server_integrate;
                if (!uint(e, "last_integrated_server_version", where, x.last_integrated_version) ||
                    !hex(e, "upload_changeset_hex", where, x.input) ||
                    !hex(e, "integrated_changeset_hex", where, x.expected))
                    return false;
            }
            else if (kind == "client_integrate") {
                x.kind = event::client_integrate;
                if (!uint(e, "client_file_ident", where, x.client_file_ident) ||
                    !uint(e, "last_integrated_client_version", where, x.last_integrated_version) ||
                    !hex(e, "changeset_hex", where, x.input) || !hex(e, "transformed_hex", where, x.expected))
                    return false;
            }
            else {
                return fail(message_error::json_bad_value, where + ": unknown event \"" + kind + "\"");
            }
            if (x.origin_file_ident == 0 || x.server_version == 0 || x.client_version == 0)
                return fail(message_error::json_bad_value, where + ": file ident or version 0");
            s.events.push_back(std::move(x));
        }
        if (auto fs = realmwire::detail::json_member(o, "final_state")) {
            if (!fs->is<picojson::array>())
                return fail(message_error::json_wrong_type, "file: \"final_state\" is not an array");
            for (const auto& line : fs->get<picojson::array>()) {
                if (!line.is<std::string>())
                    return fail(message_error::json_wrong_type, "file: \"final_state\" holds a non-string");
                s.final_state.push_back(line.get<std::string>());
            }
        }
        return true;
    };
    scenario s;
    if (!read(s)) {
        if (why)
            *why = std::move(reason);
        return scenario{};
    }
    return s;
}

/// Throwing form: format_error naming the event and field.
inline scenario parse(std::string_view text)
{
    std::error_code ec;
    std::string why;
    scenario s = parse(text, ec, &why);
    if (ec)
        throw_format_error(ec, why);
    return s;
}

/// A history held in memory: entries by version, reciprocal forms by version.
struct memory_history {
    struct entry {
        std::uint64_t origin_file_ident = 0; ///< 0: the local file
        std::uint64_t origin_timestamp = 0;
        std::uint64_t remote_version = 0;
        std::string bytes;
    };
    std::map<std::uint64_t, entry> entries;
    std::map<std::uint64_t, std::string> reciprocal;
    /// Entries of this origin are skipped (a server skips the uploading client's own entries).
    std::function<bool(const entry&)> wanted;

    std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, history_entry_view& out)
    {
        for (auto it = entries.upper_bound(begin); it != entries.end() && it->first <= end; ++it) {
            if (it->second.bytes.empty() || (wanted && !wanted(it->second)))
                continue;
            out.origin_file_ident = it->second.origin_file_ident;
            out.origin_timestamp = it->second.origin_timestamp;
            out.remote_version = it->second.remote_version;
            out.changeset = it->second.bytes;
            return it->first;
        }
        return 0;
    }
    std::string get_reciprocal_transform(std::uint64_t version)
    {
        auto r = reciprocal.find(version);
        if (r != reciprocal.end())
            return r->second;
        auto e = entries.find(version);
        return e == entries.end() ? std::string() : e->second.bytes;
    }
    void set_reciprocal_transform(std::uint64_t version, std::string bytes) { reciprocal[version] = std::move(bytes); }
};

struct mismatch {
    std::size_t event = 0;
    bool server = true;
    std::string expected;
    std::string actual;
    std::string error; ///< set when the merge failed instead
};

struct result {
    std::size_t server_total = 0, server_ok = 0;
    std::size_t client_total = 0, client_ok = 0;
    std::optional<mismatch> first;
    std::vector<std::string> server_states; ///< unused until a state applier is wired
    std::vector<std::string> server_history; ///< what the replay's server stored, in server-version order
};

/// Replays every event. The server history holds what we integrated (so a mismatch propagates, as it
/// would on a real server); each client's local changesets are its uploads, by client_version.
/// `with_clients` false replays the server integrations only.
inline result replay(const scenario& s, const limits& lim = {}, bool with_clients = true)
{
    result r;
    transformer t(lim);
    memory_history server;
    std::map<std::uint64_t, std::map<std::uint64_t, std::string>> server_reciprocal; // per client
    std::map<std::uint64_t, memory_history> clients;
    // A client's local changesets are known from its uploads, wherever they are in the file.
    for (const auto& e : s.events) {
        if (e.kind != event::server_integrate)
            continue;
        auto& c = clients[e.origin_file_ident];
        c.entries[e.client_version] = {0, e.origin_timestamp, e.last_integrated_version, e.input};
    }
    for (auto& [ident, c] : clients)
        c.wanted = [](const memory_history::entry& x) { return x.origin_file_ident == 0; };

    auto note = [&](std::size_t i, bool srv, const std::string& exp, const std::string& act, const std::string& err) {
        if (!r.first)
            r.first = mismatch{i, srv, exp, act, err};
    };

    for (std::size_t i = 0; i < s.events.size(); ++i) {
        const event& e = s.events[i];
        if (!with_clients && e.kind == event::client_integrate)
            continue;
        std::vector<versioned_changeset> in(1);
        std::error_code ec;
        in[0].cs = changeset::decode_changeset(e.input, ec);
        in[0].version = e.kind == event::server_integrate ? e.client_version : e.server_version;
        in[0].last_integrated_remote_version = e.last_integrated_version;
        in[0].origin_timestamp = e.origin_timestamp;
        in[0].origin_file_ident = e.origin_file_ident;
        std::string out;
        if (!ec) {
            if (e.kind == event::server_integrate) {
                const std::uint64_t origin = e.origin_file_ident;
                server.wanted = [origin](const memory_history::entry& x) { return x.origin_file_ident != origin; };
                server.reciprocal = std::move(server_reciprocal[origin]);
                t.transform_remote_changesets(server, s.server_file_ident, e.server_version - 1, in, ec);
                server_reciprocal[origin] = std::move(server.reciprocal);
            }
            else {
                auto& c = clients[e.client_file_ident];
                t.transform_remote_changesets(c, e.client_file_ident, e.client_version - 1, in, ec);
            }
        }
        if (!ec)
            out = encode_transformed(in[0], ec);
        const bool ok = !ec && out == e.expected;
        std::string err;
        if (ec)
            err = ec.message() + (t.last_error().empty() ? std::string() : " (" + t.last_error() + ")");
        if (e.kind == event::server_integrate) {
            ++r.server_total;
            r.server_ok += ok;
            server.entries[e.server_version] = {e.origin_file_ident, e.origin_timestamp, e.client_version,
                                                ec ? e.expected : out};
            server.reciprocal.clear();
        }
        else {
            ++r.client_total;
            r.client_ok += ok;
            auto& c = clients[e.client_file_ident];
            c.entries[e.client_version] = {e.origin_file_ident, e.origin_timestamp, e.server_version, e.input};
        }
        if (!ok)
            note(i, e.kind == event::server_integrate, e.expected, out, err);
    }
    for (const auto& kv : server.entries)
        r.server_history.push_back(kv.second.bytes);
    return r;
}

/// Describes a changeset for a mismatch report (the printer's text, or why it does not decode).
inline std::string dump(std::string_view bytes)
{
    std::error_code ec;
    auto cs = changeset::decode_changeset(bytes, ec);
    if (ec)
        return "(does not decode: " + ec.message() + ") " + to_hex(bytes);
    return changeset::to_string(cs);
}

} // namespace realmwire::merge::scenario

#endif
