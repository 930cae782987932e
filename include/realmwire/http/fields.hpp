#ifndef REALMWIRE_HTTP_FIELDS_HPP
#define REALMWIRE_HTTP_FIELDS_HPP

// HTTP header fields for handshakes: names compared case-insensitively, order kept exactly as set (a
// proxy or a byte-exact vector may depend on it), repeated names allowed (RFC 7230 §3.2.2).

#include "realmwire/detail/ascii.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace realmwire::http {

struct field {
    std::string name;
    std::string value;

    field() = default;
    // Built in place by fields::add: a temporary moved into the vector cost two string moves and a
    // destructor per field, 4 % of the instructions of parsing an upgrade request.
    field(std::string_view n, std::string_view v) : name(n), value(v) {}
};

class fields {
public:
    using const_iterator = std::vector<field>::const_iterator;

    fields() = default;
    fields(std::initializer_list<field> init) : items_(init) {}

    /// Appends, keeping any earlier field of the same name.
    void add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }

    /// Replaces the value of the first field with this name (removing later duplicates), or appends.
    void set(std::string_view name, std::string_view value)
    {
        bool replaced = false;
        for (auto it = items_.begin(); it != items_.end();) {
            if (detail::iequals(it->name, name)) {
                if (!replaced) {
                    it->value.assign(value.data(), value.size());
                    replaced = true;
                }
                else {
                    it = items_.erase(it);
                    continue;
                }
            }
            ++it;
        }
        if (!replaced)
            add(name, value);
    }

    /// Removes every field with this name; returns how many were removed.
    std::size_t erase(std::string_view name)
    {
        std::size_t n = 0;
        for (auto it = items_.begin(); it != items_.end();) {
            if (detail::iequals(it->name, name)) {
                it = items_.erase(it);
                ++n;
            }
            else {
                ++it;
            }
        }
        return n;
    }

    /// The value of the first field with this name.
    std::optional<std::string_view> get(std::string_view name) const noexcept
    {
        for (const auto& f : items_) {
            if (detail::iequals(f.name, name))
                return std::string_view(f.value);
        }
        return std::nullopt;
    }

    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

    std::size_t count(std::string_view name) const noexcept
    {
        std::size_t n = 0;
        for (const auto& f : items_)
            n += detail::iequals(f.name, name) ? 1 : 0;
        return n;
    }

    /// Every value of this name, in order (for list-valued headers split over several lines).
    std::vector<std::string_view> get_all(std::string_view name) const
    {
        std::vector<std::string_view> out;
        for (const auto& f : items_) {
            if (detail::iequals(f.name, name))
                out.emplace_back(f.value);
        }
        return out;
    }

    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    void clear() noexcept { items_.clear(); }
    void reserve(std::size_t n) { items_.reserve(n); }

    friend bool operator==(const fields& a, const fields& b)
    {
        if (a.items_.size() != b.items_.size())
            return false;
        for (std::size_t i = 0; i < a.items_.size(); ++i) {
            if (!detail::iequals(a.items_[i].name, b.items_[i].name) || a.items_[i].value != b.items_[i].value)
                return false;
        }
        return true;
    }
    friend bool operator!=(const fields& a, const fields& b) { return !(a == b); }

private:
    std::vector<field> items_;
};

/// True when `s` is an RFC 7230 token: what a field name or a method must be (non-empty, tchar only).
inline bool is_token(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    for (char c : s) {
        if (!detail::is_tchar(c))
            return false;
    }
    return true;
}

/// True when the comma-separated token list `value` (e.g. `Connection: keep-alive, Upgrade`) contains
/// `token`, compared case-insensitively with optional whitespace around each element.
inline bool list_contains_token(std::string_view value, std::string_view token) noexcept
{
    while (true) {
        std::size_t comma = value.find(',');
        std::string_view element = detail::trim_ows(value.substr(0, comma));
        if (detail::iequals(element, token))
            return true;
        if (comma == std::string_view::npos)
            return false;
        value.remove_prefix(comma + 1);
    }
}

} // namespace realmwire::http

#endif
