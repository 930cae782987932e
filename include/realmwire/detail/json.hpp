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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace realmwire::detail {

/// Default nesting limit for parse_json: far above any JSON body of the protocol or the /auth API.
inline constexpr std::size_t default_json_max_depth = 64;

/// True when the JSON text nests arrays/objects at most `limit` deep. Checked on the text before
/// picojson sees it, because picojson's parser recurses once per level without a bound (a deep input
/// would overflow the stack).
inline bool json_text_depth_ok(std::string_view text, std::size_t limit) noexcept
{
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        }
        else if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[') {
            if (++depth > limit)
                return false;
        }
        else if ((c == '}' || c == ']') && depth > 0)
            --depth;
    }
    return true;
}

/// Parses exactly one JSON value with nothing but whitespace after it, nested at most `max_depth`
/// deep. std::nullopt on any error; never throws (picojson throws std::overflow_error for a number
/// such as 1e400, found by fuzz_token, and std::bad_alloc is reported as a failure too).
inline std::optional<picojson::value> parse_json(std::string_view text, std::string* error_out = nullptr,
                                                 std::size_t max_depth = default_json_max_depth) noexcept
{
    auto fail = [&](const char* why) -> std::optional<picojson::value> {
        if (error_out) {
            try {
                *error_out = why;
            }
            catch (...) {
            }
        }
        return std::nullopt;
    };
    if (!json_text_depth_ok(text, max_depth))
        return fail("JSON nested too deeply");
    try {
        picojson::value v;
        std::string err;
        const char* end = picojson::parse(v, text.data(), text.data() + text.size(), &err);
        if (!err.empty()) {
            if (error_out)
                *error_out = err;
            return std::nullopt;
        }
        for (const char* p = end; p != text.data() + text.size(); ++p) {
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                return fail("trailing characters after JSON value");
        }
        return v;
    }
    catch (...) {
        return fail("JSON number out of range");
    }
}

inline const picojson::value* json_member(const picojson::object& o, const std::string& key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->second;
}

} // namespace realmwire::detail

#endif
