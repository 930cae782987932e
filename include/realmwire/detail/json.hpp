#ifndef REALMWIRE_DETAIL_JSON_HPP
#define REALMWIRE_DETAIL_JSON_HPP

// The one place that includes picojson (needs realmwire::json).
//
// picojson's PICOJSON_USE_INT64 changes the layout of picojson::value, so a program whose translation
// units disagree on it breaks the one-definition rule without a diagnostic. realmwire therefore keeps
// its own copy of picojson, always with 64-bit integers (Realm's timestamps and versions need them), in
// a namespace of its own: `realmwire::picojson` (an alias of realmwire::detail::json_impl::picojson).
// A program that also uses picojson — with or without PICOJSON_USE_INT64, included before or after
// this header — keeps its own ::picojson untouched: every picojson macro this header sets is restored
// afterwards, and picojson's include guard too, so a later `#include <picojson.h>` still defines it.

#include "realmwire/config.hpp"

// picojson's own #includes, made here first so that inside the namespace below they are no-ops.
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <clocale>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <inttypes.h>
#include <iostream>
#include <iterator>
#include <limits>
#include <locale.h>
#include <map>
#include <math.h>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#pragma push_macro("picojson_h")
#pragma push_macro("PICOJSON_USE_INT64")
#pragma push_macro("PICOJSON_ASSERT")
#pragma push_macro("SNPRINTF")
#undef picojson_h
#undef PICOJSON_ASSERT
#undef PICOJSON_USE_INT64
#define PICOJSON_USE_INT64 1
#ifdef REALMWIRE_NO_EXCEPTIONS
// picojson's own check throws; realmwire only calls get<T>() after is<T>(), so a failure here is a bug.
#define PICOJSON_ASSERT(e)                                                                                 \
    do {                                                                                                  \
        if (!(e))                                                                                         \
            std::abort();                                                                                 \
    } while (0)
// picojson has one more throw that no macro of its own replaces: value(double) throws
// std::overflow_error for an infinite number (a literal such as 1e400), and a compiler without
// exceptions refuses the whole header for it. For this one include `throw` is spelled as an abort.
// parse_json never gets there (json_numbers_in_range refuses such a literal first) and realmwire never
// builds a value from a double it did not check; the abort is a bug trap, not an error path.
#pragma push_macro("throw")
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wkeyword-macro"
#endif
#define throw std::abort(), (void)
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
#endif
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
namespace realmwire::detail::json_impl {
#include <picojson.h>
} // namespace realmwire::detail::json_impl
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#ifdef REALMWIRE_NO_EXCEPTIONS
#undef throw
#pragma pop_macro("throw")
#endif
#undef picojson_h
#pragma pop_macro("SNPRINTF")
#pragma pop_macro("PICOJSON_ASSERT")
#pragma pop_macro("PICOJSON_USE_INT64")
#pragma pop_macro("picojson_h")

namespace realmwire {
/// realmwire's picojson (always 64-bit integers); see the top of detail/json.hpp.
namespace picojson = detail::json_impl::picojson;
} // namespace realmwire

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

/// True when no number literal in the JSON text is one picojson would read as an infinite double
/// (its value(double) throws std::overflow_error for those: 1e400, found by fuzz_token). Reads each
/// literal exactly as picojson does: outside strings, from a digit or '-', the longest run of
/// [0-9+-.eE] ('.' as the locale's decimal point if picojson uses the locale), an int64 first.
inline bool json_numbers_in_range(std::string_view text)
{
    std::string num;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (!((c >= '0' && c <= '9') || c == '-'))
            continue;
        num.clear();
        for (; i < text.size(); ++i) {
            c = text[i];
            if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E')
                num.push_back(c);
            else if (c == '.') {
#if PICOJSON_USE_LOCALE
                num += std::localeconv()->decimal_point;
#else
                num.push_back('.');
#endif
            }
            else
                break;
        }
        --i; // the loop's ++i looks at the character after the literal
        char* end = nullptr;
        errno = 0;
        std::intmax_t as_int = std::strtoimax(num.c_str(), &end, 10);
        if (errno == 0 && as_int >= std::numeric_limits<std::int64_t>::min() &&
            as_int <= std::numeric_limits<std::int64_t>::max() && end == num.c_str() + num.size())
            continue;
        double d = std::strtod(num.c_str(), &end);
        if (end == num.c_str() + num.size() && std::isinf(d))
            return false;
    }
    return true;
}

/// Parses exactly one JSON value with nothing but whitespace after it, nested at most `max_depth`
/// deep. std::nullopt on any error; never throws: a number beyond double (which picojson would throw
/// std::overflow_error for) is refused before picojson sees it, and with exceptions on std::bad_alloc
/// is reported as a failure too.
inline std::optional<picojson::value> parse_json(std::string_view text, std::string* error_out = nullptr,
                                                 std::size_t max_depth = default_json_max_depth) noexcept
{
    auto fail = [&](const char* why) -> std::optional<picojson::value> {
        if (error_out) {
            REALMWIRE_TRY {
                *error_out = why;
            }
            REALMWIRE_CATCH_ALL {
            }
        }
        return std::nullopt;
    };
    if (!json_text_depth_ok(text, max_depth))
        return fail("JSON nested too deeply");
    REALMWIRE_TRY {
        if (!json_numbers_in_range(text))
            return fail("JSON number out of range");
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
    REALMWIRE_CATCH_ALL { // std::bad_alloc; an overflow_error no longer gets here
        return fail("JSON parse failed (out of memory)");
    }
}

inline const picojson::value* json_member(const picojson::object& o, const std::string& key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->second;
}

} // namespace realmwire::detail

#endif
