#ifndef REALMWIRE_REFERENCE_FLX_PERMISSIONS_HPP
#define REALMWIRE_REFERENCE_FLX_PERMISSIONS_HPP

// Flexible sync permissions: roles with per-table read and write rules, each rule `true`, `false` or a
// query in the realm query language (a document filter). The verified token's identity selects the
// role — never anything the client sends in a message body. A read filter narrows every view of the
// role (bootstrap and download); a write filter decides which objects the role may leave behind after
// an upload (a write it does not allow is undone by a compensating write).
//
// In a filter, `%user%` stands for the identity as a string literal (an identity holding a quote or a
// backslash, which no literal can carry verbatim, matches nothing).
//
// The file form (`realmwire server --flx-permissions FILE`):
//
//   {"roles": [
//      {"name": "admin", "identities": ["alice"], "default": {"read": true, "write": true}},
//      {"name": "user",  "identities": [],        // empty: every identity no earlier role named
//       "tables": {"Item": {"read": true, "write": "owner == %user%"}},
//       "default": {"read": false, "write": false}}]}
//
// A table a role does not name follows its "default" (absent: no access). With no roles at all,
// every identity may read and write everything (the server's behaviour without a permission file).

#include "realmwire/auth/claims_types.hpp"
#include "realmwire/query/parser.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::reference {

/// One rule: nullopt = denied, "TRUEPREDICATE" = every object, otherwise a document filter.
struct flx_table_rule {
    std::optional<std::string> read = std::string("TRUEPREDICATE");
    std::optional<std::string> write = std::string("TRUEPREDICATE");
};

struct flx_role {
    std::string name;
    std::vector<std::string> identities; ///< empty: the default role
    std::map<std::string, flx_table_rule, std::less<>> tables;
    flx_table_rule other_tables{std::nullopt, std::nullopt}; ///< tables the role does not name
};

struct flx_permissions {
    std::vector<flx_role> roles;

    /// The role for a verified identity: the first that names it, else the first default role, else
    /// nullptr (no access). `user` nullptr (a server without authentication) is the default role.
    const flx_role* role_for(const auth::claims* user) const
    {
        if (user)
            for (const auto& r : roles)
                for (const auto& id : r.identities)
                    if (id == user->identity)
                        return &r;
        for (const auto& r : roles)
            if (r.identities.empty())
                return &r;
        return nullptr;
    }

    /// The rule `user` has on `table` (allow-all without roles).
    flx_table_rule rule(const auth::claims* user, std::string_view table) const
    {
        if (roles.empty())
            return {};
        const flx_role* r = role_for(user);
        if (!r)
            return {std::nullopt, std::nullopt};
        auto it = r->tables.find(table);
        flx_table_rule out = it == r->tables.end() ? r->other_tables : it->second;
        std::string who = user ? user->identity : std::string();
        out.read = substitute(out.read, who);
        out.write = substitute(out.write, who);
        return out;
    }

    /// Every filter parses (checked when the configuration is loaded, so a typo is a start-up error
    /// and not a role that silently sees nothing).
    void check(std::error_code& ec, std::string& message) const
    {
        ec.clear();
        for (const auto& r : roles) {
            auto one = [&](const std::optional<std::string>& q, const std::string& where) {
                if (!q || ec)
                    return;
                std::string text = *substitute(q, "x");
                query::diagnostic d;
                query::parse(text, ec, &d);
                if (ec)
                    message = "role '" + r.name + "', " + where + ": " + d.message;
            };
            for (const auto& [t, rule] : r.tables) {
                one(rule.read, "table '" + t + "' read");
                one(rule.write, "table '" + t + "' write");
            }
            one(r.other_tables.read, "default read");
            one(r.other_tables.write, "default write");
        }
    }

private:
    static std::optional<std::string> substitute(const std::optional<std::string>& q, const std::string& who)
    {
        if (!q)
            return q;
        static constexpr std::string_view marker = "%user%";
        if (q->find(marker) == std::string::npos)
            return q;
        bool safe = who.find('"') == std::string::npos && who.find('\\') == std::string::npos;
        std::string lit = safe ? "\"" + who + "\"" : std::string();
        if (!safe)
            return std::string("FALSEPREDICATE");
        std::string out;
        std::size_t from = 0;
        for (std::size_t at; (at = q->find(marker, from)) != std::string::npos; from = at + marker.size())
            out.append(*q, from, at - from).append(lit);
        out.append(*q, from, std::string::npos);
        return out;
    }
};

} // namespace realmwire::reference

#endif
