#ifndef REALMWIRE_PROTOCOL_DETAIL_FIELD_READER_HPP
#define REALMWIRE_PROTOCOL_DETAIL_FIELD_READER_HPP

// Reads the space-separated decimal fields of a message head or of a changeset entry header, with
// realm-core's grammar made strict: exactly one delimiter after each field (SP, or LF after the last
// head field), no sign on unsigned fields, no leading zeros (unless allowed), no overflow.
// Never reads outside [begin, end); never allocates.

#include "realmwire/errors/message.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace realmwire::protocol::detail {

class field_reader {
public:
    field_reader(std::string_view s, bool allow_leading_zeros) noexcept
        : begin_(s.data()), p_(s.data()), end_(s.data() + s.size()), allow_lz_(allow_leading_zeros)
    {
    }

    /// Error of the last failed read (valid only after a read returned false).
    message_error error() const noexcept { return err_; }
    std::size_t offset() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
    std::string_view rest() const noexcept { return {p_, static_cast<std::size_t>(end_ - p_)}; }
    bool at_end() const noexcept { return p_ == end_; }

    /// An unsigned field in [0, max], followed by `term`.
    bool read_u64(std::uint64_t& out, char term, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) noexcept
    {
        if (!start_of_field(false))
            return false;
        std::uint64_t v = 0;
        if (!digits(v))
            return false;
        if (v > max)
            return fail(message_error::value_out_of_range);
        out = v;
        return terminator(term);
    }

    /// A signed 64-bit field: optional '-', then digits (no "-0", no lone "-").
    bool read_i64(std::int64_t& out, char term) noexcept
    {
        if (!start_of_field(true))
            return false;
        bool neg = false;
        if (*p_ == '-') {
            neg = true;
            ++p_;
            if (p_ == end_ || !is_digit(*p_))
                return fail(message_error::bad_integer);
        }
        std::uint64_t v = 0;
        const char* first = p_;
        if (!digits(v))
            return false;
        constexpr std::uint64_t pos_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (neg) {
            if (v == 0) {
                p_ = first;
                return fail(message_error::bad_integer); // "-0" is not how anyone writes 0
            }
            if (v > pos_max + 1)
                return fail(message_error::integer_overflow);
            out = v == pos_max + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
        }
        else {
            if (v > pos_max)
                return fail(message_error::integer_overflow);
            out = static_cast<std::int64_t>(v);
        }
        return terminator(term);
    }

    /// A boolean written as 0 or 1 (realm-core reads any int and takes != 0; we accept only 0|1).
    bool read_bool(bool& out, char term) noexcept
    {
        std::uint64_t v = 0;
        if (!read_u64(v, term, 1))
            return false;
        out = v != 0;
        return true;
    }

    /// A finite, non-negative decimal number (FLX progress estimate), e.g. "0", "0.25", "1e-05".
    bool read_double(double& out, char term) noexcept
    {
        if (!start_of_field(false))
            return false;
        const char* first = p_;
        const char* q = p_;
        while (q != end_ && (is_digit(*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-'))
            ++q;
        if (!allow_lz_ && q - first > 1 && first[0] == '0' && is_digit(first[1]))
            return fail(message_error::leading_zero);
        double v = 0;
        auto res = std::from_chars(first, q, v, std::chars_format::general);
        if (res.ec != std::errc{} || res.ptr != q || !std::isfinite(v) || v < 0)
            return fail(message_error::bad_float);
        p_ = q;
        out = v;
        return terminator(term);
    }

    /// The next `n` bytes, if present.
    bool read_bytes(std::string_view& out, std::uint64_t n) noexcept
    {
        if (n > static_cast<std::uint64_t>(end_ - p_))
            return fail(message_error::body_truncated);
        out = std::string_view(p_, static_cast<std::size_t>(n));
        p_ += n;
        return true;
    }

private:
    static constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

    bool fail(message_error e) noexcept
    {
        err_ = e;
        return false;
    }

    // Classifies what stands where a field should begin.
    bool start_of_field(bool allow_minus) noexcept
    {
        if (p_ == end_)
            return fail(message_error::missing_field);
        char c = *p_;
        if (is_digit(c) || (allow_minus && c == '-'))
            return true;
        if (c == '\n')
            return fail(message_error::missing_field);
        if (c == ' ' || c == '\r' || c == '\t')
            return fail(message_error::bad_delimiter);
        if (c == '-')
            return fail(message_error::negative_value);
        return fail(message_error::bad_integer);
    }

    bool digits(std::uint64_t& out) noexcept
    {
        const char* first = p_;
        std::uint64_t v = 0;
        constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
        while (p_ != end_ && is_digit(*p_)) {
            auto d = static_cast<std::uint64_t>(*p_ - '0');
            if (v > (max - d) / 10)
                return fail(message_error::integer_overflow);
            v = v * 10 + d;
            ++p_;
        }
        if (p_ == first)
            return fail(message_error::bad_integer);
        if (!allow_lz_ && p_ - first > 1 && *first == '0') {
            p_ = first;
            return fail(message_error::leading_zero);
        }
        out = v;
        return true;
    }

    bool terminator(char term) noexcept
    {
        if (p_ == end_)
            return fail(message_error::missing_field);
        char c = *p_;
        if (c == term) {
            ++p_;
            return true;
        }
        if (c == '\n')
            return fail(message_error::missing_field);
        if (c == ' ' && term == '\n')
            return fail(message_error::extra_field);
        if (c == '-' || is_digit(c))
            return fail(message_error::bad_integer);
        return fail(message_error::bad_delimiter);
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    bool allow_lz_;
    message_error err_ = message_error::bad_integer;
};

/// Appends `v` in plain decimal (a double in the shortest form that reads back as the same value).
template <class String, class Number>
inline void append_number(String& out, Number v)
{
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
// The field's type is fixed by the grammar, whatever the caller's integer type.
template <class String>
inline void append_u64(String& out, std::uint64_t v)
{
    append_number(out, v);
}
template <class String>
inline void append_i64(String& out, std::int64_t v)
{
    append_number(out, v);
}
template <class String>
inline void append_double(String& out, double v)
{
    append_number(out, v);
}

} // namespace realmwire::protocol::detail

#endif
