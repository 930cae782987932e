#ifndef REALMWIRE_REFERENCE_FLX_PERMISSIONS_FILE_HPP
#define REALMWIRE_REFERENCE_FLX_PERMISSIONS_FILE_HPP

// Reads flx_permissions (flx_permissions.hpp) from its JSON form (`realmwire server --flx-permissions
// FILE`). Needs realmwire::json. Every rule is `true`, `false` or a query string; every query must
// parse; unknown keys are refused (a misspelt "wirte" must not silently deny or allow).

#include "realmwire/detail/json.hpp"
#include "realmwire/errors/query.hpp"
#include "realmwire/reference/flx_permissions.hpp"

#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::reference {

/// Parses the permission file. On failure `ec` is set (query_error::malformed_subscriptions for a
/// document that does not have the expected shape, the parser's code for a filter that does not parse)
/// and `message` says where.
inline flx_permissions parse_flx_permissions(std::string_view json, std::error_code& ec, std::string& message)
{
    ec.clear();
    flx_permissions out;
    auto fail = [&](std::string why) {
        ec = query_error::malformed_subscriptions;
        message = std::move(why);
        return flx_permissions{};
    };
    std::string perr;
    auto doc = realmwire::detail::parse_json(json, &perr);
    if (!doc || !doc->is<picojson::object>())
        return fail("the permission file is not a JSON object" + (perr.empty() ? std::string() : ": " + perr));
    const auto& top = doc->get<picojson::object>();
    for (const auto& [k, v] : top)
        if (k != "roles")
            return fail("unknown key '" + k + "' (expected \"roles\")");
    const picojson::value* roles = realmwire::detail::json_member(top, "roles");
    if (!roles || !roles->is<picojson::array>())
        return fail("\"roles\" must be an array");
    auto rule_of = [&](const picojson::value& v, std::optional<std::string>& out_rule, const std::string& where) {
        if (v.is<bool>())
            out_rule = v.get<bool>() ? std::optional<std::string>("TRUEPREDICATE") : std::nullopt;
        else if (v.is<std::string>())
            out_rule = v.get<std::string>();
        else {
            fail(where + " must be true, false or a query string");
            return false;
        }
        return true;
    };
    auto table_rule_of = [&](const picojson::value& v, flx_table_rule& r, const std::string& where) {
        if (!v.is<picojson::object>()) {
            fail(where + " must be an object with \"read\" and \"write\"");
            return false;
        }
        r = {std::nullopt, std::nullopt};
        for (const auto& [k, x] : v.get<picojson::object>()) {
            if (k == "read") {
                if (!rule_of(x, r.read, where + ".read"))
                    return false;
            }
            else if (k == "write") {
                if (!rule_of(x, r.write, where + ".write"))
                    return false;
            }
            else {
                fail(where + ": unknown key '" + k + "'");
                return false;
            }
        }
        return true;
    };
    std::size_t n = 0;
    for (const auto& rv : roles->get<picojson::array>()) {
        std::string where = "roles[" + std::to_string(n++) + "]";
        if (!rv.is<picojson::object>())
            return fail(where + " must be an object");
        flx_role role;
        for (const auto& [k, v] : rv.get<picojson::object>()) {
            if (k == "name" && v.is<std::string>())
                role.name = v.get<std::string>();
            else if (k == "identities" && v.is<picojson::array>()) {
                for (const auto& id : v.get<picojson::array>()) {
                    if (!id.is<std::string>())
                        return fail(where + ".identities must hold strings");
                    role.identities.push_back(id.get<std::string>());
                }
            }
            else if (k == "tables" && v.is<picojson::object>()) {
                for (const auto& [t, tv] : v.get<picojson::object>()) {
                    flx_table_rule r;
                    if (!table_rule_of(tv, r, where + ".tables." + t))
                        return {};
                    role.tables[t] = r;
                }
            }
            else if (k == "default") {
                if (!table_rule_of(v, role.other_tables, where + ".default"))
                    return {};
            }
            else
                return fail(where + ": unknown or mistyped key '" + k + "'");
        }
        out.roles.push_back(std::move(role));
    }
    out.check(ec, message);
    if (ec)
        return {};
    return out;
}

} // namespace realmwire::reference

#endif
