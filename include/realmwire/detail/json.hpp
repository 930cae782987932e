#ifndef REALMWIRE_DETAIL_JSON_HPP
#define REALMWIRE_DETAIL_JSON_HPP

// The one place that includes picojson (needs realmwire::json). PICOJSON_USE_INT64 must be set for
// every translation unit alike (it changes picojson::value's layout); the realmwire::json target sets
// it, and this header refuses to compile without it rather than silently disagreeing.

#ifndef PICOJSON_USE_INT64
#error "realmwire needs picojson with 64-bit integers: define PICOJSON_USE_INT64 (link realmwire::json)"
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
#include <picojson.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace realmwire::detail {

/// Parses exactly one JSON value with nothing but whitespace after it. std::nullopt on any error.
inline std::optional<picojson::value> parse_json(std::string_view text, std::string* error_out = nullptr)
{
    picojson::value v;
    std::string err;
    const char* end = picojson::parse(v, text.data(), text.data() + text.size(), &err);
    if (!err.empty()) {
        if (error_out)
            *error_out = err;
        return std::nullopt;
    }
    for (const char* p = end; p != text.data() + text.size(); ++p) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (error_out)
                *error_out = "trailing characters after JSON value";
            return std::nullopt;
        }
    }
    return v;
}

inline const picojson::value* json_member(const picojson::object& o, const std::string& key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->second;
}

} // namespace realmwire::detail

#endif
