#ifndef REALMWIRE_HTTP_SERIALIZER_HPP
#define REALMWIRE_HTTP_SERIALIZER_HPP

// Writes HTTP/1.x requests and responses: start line, `Name: value` lines, the empty line, the body
// as it is (no Content-Length is added: what you set is what goes on the wire).
//
// Request header order is a choice, because byte-exact peers and tests depend on it:
//  * as_set     - the order of http::fields (the order the fields were set or parsed);
//  * realm_core - Host first, then the others sorted case-insensitively (realm-core's HTTPHeaders is a
//                 std::map with a tolower() comparator, network/http.cpp writes Host first);
//  * sorted     - every field sorted case-insensitively, Host included (the ROS-era example request).
// Sorting is stable, so repeated names keep their relative order.
//
// Nothing that could break the framing is written: a method that is not a token, a target with a
// space or control byte, a field name that is not a token, a value with CR, LF, NUL or another
// control byte, a reason with a control byte, or a version other than 1.0/1.1 is an http_error
// (the throwing forms throw realmwire::system_error).

#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/scan.hpp"
#include "realmwire/error.hpp"
#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::http {

enum class header_order { as_set, realm_core, sorted };

namespace detail {

/// realm-core's HeterogeneousCaseInsensitiveCompare: lexicographic on tolower() of each byte.
inline bool header_name_less(std::string_view a, std::string_view b) noexcept
{
    std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        char x = realmwire::detail::to_lower(a[i]);
        char y = realmwire::detail::to_lower(b[i]);
        if (x != y)
            return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
    }
    return a.size() < b.size();
}

/// True when `value` may be written as a field value: no control byte but HTAB, no DEL (16 bytes per
/// step; a HTAB found is stepped over).
inline bool is_field_value(std::string_view value) noexcept
{
    const char* p = value.data();
    std::size_t n = value.size();
    while (true) {
        std::size_t k = realmwire::detail::find_ctl(p, n);
        if (k == n)
            return true;
        if (p[k] != '\t')
            return false;
        p += k + 1;
        n -= k + 1;
    }
}

inline http_error check_fields(const fields& headers) noexcept
{
    for (const auto& f : headers) {
        if (f.name.empty() || realmwire::detail::find_not_tchar(f.name.data(), f.name.size()) != f.name.size())
            return http_error::bad_header_name;
        if (!is_field_value(f.value))
            return http_error::bad_header_value;
    }
    return http_error{};
}

inline void append_field(std::string& out, const field& f)
{
    out.append(f.name);
    out.append(": ");
    out.append(f.value);
    out.append("\r\n");
}

inline void append_fields(std::string& out, const fields& headers, header_order order)
{
    if (order == header_order::as_set) {
        for (const auto& f : headers)
            append_field(out, f);
        return;
    }
    std::vector<const field*> sorted;
    sorted.reserve(headers.size());
    for (const auto& f : headers) {
        if (order == header_order::realm_core && realmwire::detail::iequals(f.name, "Host"))
            append_field(out, f);
        else
            sorted.push_back(&f);
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const field* a, const field* b) { return header_name_less(a->name, b->name); });
    for (const field* f : sorted)
        append_field(out, *f);
}

inline std::size_t fields_size(const fields& headers) noexcept
{
    std::size_t n = 0;
    for (const auto& f : headers)
        n += f.name.size() + f.value.size() + 4;
    return n;
}

} // namespace detail

/// Appends the request to `out`. On error nothing is appended.
inline void serialize_to(std::string& out, const request& req, header_order order, std::error_code& ec)
{
    ec.clear();
    if (!is_token(req.method)) {
        ec = make_error_code(http_error::bad_method);
        return;
    }
    if (req.target.empty() ||
        !std::all_of(req.target.begin(), req.target.end(), [](char c) { return detail::is_target_char(c); })) {
        ec = make_error_code(http_error::bad_target);
        return;
    }
    if (req.version_minor != 0 && req.version_minor != 1) {
        ec = make_error_code(http_error::bad_version);
        return;
    }
    if (http_error e = detail::check_fields(req.headers); e != http_error{}) {
        ec = make_error_code(e);
        return;
    }
    out.reserve(out.size() + req.method.size() + req.target.size() + 13 + detail::fields_size(req.headers) + 2 +
                req.body.size());
    out.append(req.method);
    out.push_back(' ');
    out.append(req.target);
    out.append(req.version_minor == 1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    detail::append_fields(out, req.headers, order);
    out.append("\r\n");
    out.append(req.body);
}

inline void serialize_to(std::string& out, const request& req, header_order order = header_order::as_set)
{
    std::error_code ec;
    serialize_to(out, req, order, ec);
    if (ec)
        throw_error(ec, "http::serialize");
}

inline std::string serialize(const request& req, header_order order, std::error_code& ec)
{
    std::string out;
    serialize_to(out, req, order, ec);
    return out;
}

inline std::string serialize(const request& req, std::error_code& ec)
{
    return serialize(req, header_order::as_set, ec);
}

inline std::string serialize(const request& req, header_order order = header_order::as_set)
{
    std::string out;
    serialize_to(out, req, order);
    return out;
}

/// Appends the response to `out` (fields in the order set). On error nothing is appended.
inline void serialize_to(std::string& out, const response& res, std::error_code& ec)
{
    ec.clear();
    if (res.status < 100 || res.status > 999) {
        ec = make_error_code(http_error::bad_status);
        return;
    }
    if (res.version_minor != 0 && res.version_minor != 1) {
        ec = make_error_code(http_error::bad_version);
        return;
    }
    if (!std::all_of(res.reason.begin(), res.reason.end(), [](char c) { return detail::is_field_value_char(c); })) {
        ec = make_error_code(http_error::bad_reason);
        return;
    }
    if (http_error e = detail::check_fields(res.headers); e != http_error{}) {
        ec = make_error_code(e);
        return;
    }
    out.reserve(out.size() + 15 + res.reason.size() + detail::fields_size(res.headers) + 2 + res.body.size());
    out.append(res.version_minor == 1 ? "HTTP/1.1 " : "HTTP/1.0 ");
    char code[3] = {static_cast<char>('0' + res.status / 100), static_cast<char>('0' + res.status / 10 % 10),
                    static_cast<char>('0' + res.status % 10)};
    out.append(code, 3);
    out.push_back(' ');
    out.append(res.reason);
    out.append("\r\n");
    detail::append_fields(out, res.headers, header_order::as_set);
    out.append("\r\n");
    out.append(res.body);
}

inline void serialize_to(std::string& out, const response& res)
{
    std::error_code ec;
    serialize_to(out, res, ec);
    if (ec)
        throw_error(ec, "http::serialize");
}

inline std::string serialize(const response& res, std::error_code& ec)
{
    std::string out;
    serialize_to(out, res, ec);
    return out;
}

inline std::string serialize(const response& res)
{
    std::string out;
    serialize_to(out, res);
    return out;
}

} // namespace realmwire::http

#endif
