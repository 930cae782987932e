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
#include <cassert>
#include <cstddef>
#include <cstring>
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

/// Writes into room already made: the serializers size their output exactly first, then copy each
/// piece in, because a string append per piece (twenty for a 101) cost more than the checks.
class piece_writer {
public:
    explicit piece_writer(char* at) noexcept : at_(at) {}
    void put(std::string_view s) noexcept
    {
        if (!s.empty())
            std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
    }
    void put(char c) noexcept { *at_++ = c; }
    void put_field(const field& f) noexcept
    {
        put(f.name);
        put(": ");
        put(f.value);
        put("\r\n");
    }
    char* position() const noexcept { return at_; }

private:
    char* at_;
};

/// Makes room for exactly `n` more bytes at the end of `out` and returns a writer at its start.
inline piece_writer grow_for_pieces(std::string& out, std::size_t n)
{
    const std::size_t old = out.size();
    out.resize(old + n);
    return piece_writer(&out[0] + old);
}

inline void write_fields(piece_writer& w, const fields& headers, header_order order)
{
    if (order == header_order::as_set) {
        for (const auto& f : headers)
            w.put_field(f);
        return;
    }
    std::vector<const field*> sorted;
    sorted.reserve(headers.size());
    for (const auto& f : headers) {
        if (order == header_order::realm_core && realmwire::detail::iequals(f.name, "Host"))
            w.put_field(f);
        else
            sorted.push_back(&f);
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const field* a, const field* b) { return header_name_less(a->name, b->name); });
    for (const field* f : sorted)
        w.put_field(*f);
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
    auto w = detail::grow_for_pieces(out, req.method.size() + 1 + req.target.size() + 11 +
                                              detail::fields_size(req.headers) + 2 + req.body.size());
    w.put(req.method);
    w.put(' ');
    w.put(req.target);
    w.put(req.version_minor == 1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    detail::write_fields(w, req.headers, order);
    w.put("\r\n");
    w.put(req.body);
    assert(w.position() == out.data() + out.size());
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
    auto w = detail::grow_for_pieces(out, 15 + res.reason.size() + detail::fields_size(res.headers) + 2 +
                                              res.body.size());
    w.put(res.version_minor == 1 ? "HTTP/1.1 " : "HTTP/1.0 ");
    w.put(static_cast<char>('0' + res.status / 100));
    w.put(static_cast<char>('0' + res.status / 10 % 10));
    w.put(static_cast<char>('0' + res.status % 10));
    w.put(' ');
    w.put(res.reason);
    w.put("\r\n");
    detail::write_fields(w, res.headers, header_order::as_set);
    w.put("\r\n");
    w.put(res.body);
    assert(w.position() == out.data() + out.size());
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
