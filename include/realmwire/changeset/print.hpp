#ifndef REALMWIRE_CHANGESET_PRINT_HPP
#define REALMWIRE_CHANGESET_PRINT_HPP

// Human-readable rendering of a changeset, one line per instruction, in the style of realm-core's
// print_changeset (the vectors' .txt dumps use it):
//
//   InternStrings  0="Person", 1="age"
//   Update        path=Person[Int(2)].age, value=Int(8), default=0
//
// As there, long String values are cut ("…...(N bytes)"), Binary shows its first 24 bytes, Float is
// printed with 9 and Double with 17 significant digits. For people and tests, not for parsing back.

#include "realmwire/changeset/instruction.hpp"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace realmwire::changeset {

namespace detail {

inline void append_hex(std::string& out, const std::uint8_t* p, std::size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
}

inline void append_fmt_int(std::string& out, std::int64_t v)
{
    out += std::to_string(v);
}

/// Days since 1970-01-01 to a civil date (proleptic Gregorian), valid for the whole int64 day range
/// that matters here.
inline void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        ++y;
}

inline void append_timestamp(std::string& out, const timestamp& t)
{
    // realm-core prints the instant, so a negative time is the second before it plus 1e9 - |ns|.
    std::int64_t secs = t.seconds;
    std::int64_t ns = t.nanoseconds;
    if (ns < 0) {
        ns += 1000000000;
        --secs;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    std::int64_t y;
    unsigned mo, d;
    civil_from_days(days, y, mo, d);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02u-%02u %02u:%02u:%02u", y, mo, d, static_cast<unsigned>(rem / 3600),
                  static_cast<unsigned>(rem / 60 % 60), static_cast<unsigned>(rem % 60));
    out += buf;
    if (ns != 0) {
        std::snprintf(buf, sizeof buf, ".%09d", static_cast<int>(ns));
        out += buf;
    }
}

/// realm-core's Decimal128::to_string for coefficients that fit 64 bits (and NaN/Inf).
inline void append_decimal(std::string& out, const decimal128& d)
{
    std::uint64_t w0, w1;
    d.to_bid(w0, w1);
    if (d.negative)
        out += '-';
    if ((w1 & 0x7800000000000000ull) == 0x7800000000000000ull) {
        out += (w1 & 0x7c00000000000000ull) == 0x7c00000000000000ull ? "NaN" : "Inf";
        return;
    }
    if (d.coefficient_hi != 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "0x%" PRIx64 "%016" PRIx64 "E%d", d.coefficient_hi, d.coefficient_lo, d.exponent);
        out += buf;
        return;
    }
    std::string digits = std::to_string(d.coefficient_lo);
    std::int64_t exp = d.exponent;
    std::size_t before = digits.size();
    while (before > 1 && exp < 0) {
        --before;
        ++exp;
    }
    out.append(digits, 0, before);
    if (before < digits.size()) {
        out += '.';
        out.append(digits, before, std::string::npos);
    }
    if (exp != 0) {
        out += 'E';
        out += std::to_string(exp);
    }
}

inline void append_quoted(std::string& out, std::string_view s)
{
    out += '"';
    if (s.size() > 80) {
        out.append(s.data(), 77);
        out += "...(" + std::to_string(s.size()) + " bytes)";
    }
    else {
        out.append(s.data(), s.size());
    }
    out += '"';
}

inline void append_pk(std::string& out, const changeset& cs, const primary_key& k)
{
    static_assert(primary_key_alternatives_in_order, "the cases below number primary_key's alternatives");
    switch (k.index()) {
        case 0: out += "NULL"; break;
        case 1:
            out += "Int(";
            append_fmt_int(out, std::get<std::int64_t>(k));
            out += ')';
            break;
        case 2: append_quoted(out, cs.strings.at(std::get<string_id>(k).index)); break;
        case 3:
            out += "ObjectId{";
            append_hex(out, std::get<object_id>(k).bytes.data(), 12);
            out += '}';
            break;
        case 4: {
            out += "UUID{";
            const auto& b = std::get<uuid>(k).bytes;
            append_hex(out, b.data(), 4);
            out += '-';
            append_hex(out, b.data() + 4, 2);
            out += '-';
            append_hex(out, b.data() + 6, 2);
            out += '-';
            append_hex(out, b.data() + 8, 2);
            out += '-';
            append_hex(out, b.data() + 10, 6);
            out += '}';
            break;
        }
        case 5: {
            const auto& g = std::get<global_key>(k);
            out += "GlobalKey{" + std::to_string(g.hi) + ", " + std::to_string(g.lo) + "}";
            break;
        }
        default: break;
    }
}

inline void append_uuid(std::string& out, const uuid& u)
{
    const auto& b = u.bytes;
    append_hex(out, b.data(), 4);
    out += '-';
    append_hex(out, b.data() + 4, 2);
    out += '-';
    append_hex(out, b.data() + 6, 2);
    out += '-';
    append_hex(out, b.data() + 8, 2);
    out += '-';
    append_hex(out, b.data() + 10, 6);
}

inline void append_payload(std::string& out, const changeset& cs, const payload& v)
{
    char buf[64];
    out += name_of(v.type);
    out += '(';
    switch (v.type) {
        case payload_type::integer: append_fmt_int(out, v.integer); break;
        case payload_type::boolean: out += v.boolean ? '1' : '0'; break;
        case payload_type::string: append_quoted(out, v.data); break;
        case payload_type::binary:
            out += std::to_string(v.data.size()) + " bytes: ";
            append_hex(out, reinterpret_cast<const std::uint8_t*>(v.data.data()), std::min<std::size_t>(v.data.size(), 24));
            if (v.data.size() > 24)
                out += "...";
            break;
        case payload_type::timestamp: append_timestamp(out, v.time); break;
        case payload_type::float_:
            std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.float_value));
            out += buf;
            break;
        case payload_type::double_:
            std::snprintf(buf, sizeof buf, "%.17g", v.double_value);
            out += buf;
            break;
        case payload_type::decimal: append_decimal(out, v.decimal); break;
        case payload_type::link:
            out += "target_table = " + cs.strings.at(v.link_value.target_table.index) + ", target = ";
            append_pk(out, cs, v.link_value.target);
            break;
        case payload_type::object_id: append_hex(out, v.oid.bytes.data(), 12); break;
        case payload_type::uuid: append_uuid(out, v.uuid_value); break;
        default: break;
    }
    out += ')';
}

inline void append_target(std::string& out, const changeset& cs, const path_target& t)
{
    out += "path=";
    out += cs.strings.at(t.table.index);
    out += '[';
    append_pk(out, cs, t.object);
    out += "].";
    out += cs.strings.at(t.field.index);
    for (const auto& e : t.path) {
        if (auto i = std::get_if<std::uint32_t>(&e)) {
            out += '[' + std::to_string(*i) + ']';
        }
        else {
            out += '.';
            out += cs.strings.at(std::get<string_id>(e).index);
        }
    }
}

inline void append_name(std::string& out, const char* name)
{
    std::string_view n(name);
    out += n;
    out.append(n.size() < 14 ? 14 - n.size() : 1, ' ');
}

} // namespace detail

/// "InternStrings  0=\"a\", 1=\"b\"".
inline std::string to_string_interned(const changeset& cs)
{
    std::string out = "InternStrings  ";
    for (std::size_t i = 0; i < cs.strings.size(); ++i) {
        if (i)
            out += ", ";
        out += std::to_string(i) + "=";
        detail::append_quoted(out, cs.strings[i]);
    }
    return out;
}

/// One instruction, in print_changeset style. String ids must be valid for `cs`.
inline std::string to_string(const changeset& cs, const instruction& in)
{
    using namespace detail;
    std::string out;
    auto q = [&](string_id id) { append_quoted(out, cs.strings.at(id.index)); };
    static_assert(instruction_alternatives_in_tag_order, "the cases below number instruction's alternatives");
    switch (in.index()) {
        case 0: {
            const auto& x = std::get<add_table>(in);
            append_name(out, "AddTable");
            out += "table=";
            q(x.table);
            if (x.type == table_type::embedded) {
                out += ", is_embedded=1";
            }
            else {
                out += ", pk_field=";
                q(x.pk_field);
                out += ", pk_type=";
                out += name_of(x.pk_type);
                out += ", pk_nullable=";
                out += x.pk_nullable ? '1' : '0';
                out += ", is_asymmetric=";
                out += x.type == table_type::top_level_asymmetric ? '1' : '0';
            }
            break;
        }
        case 1:
            append_name(out, "EraseTable");
            out += "table=";
            q(std::get<erase_table>(in).table);
            break;
        case 2:
        case 3: {
            const auto& x = in.index() == 2 ? std::get<create_object>(in).table : std::get<erase_object>(in).table;
            const auto& k = in.index() == 2 ? std::get<create_object>(in).object : std::get<erase_object>(in).object;
            append_name(out, in.index() == 2 ? "CreateObject" : "EraseObject");
            out += "path=" + cs.strings.at(x.index) + "[";
            append_pk(out, cs, k);
            out += ']';
            break;
        }
        case 4: {
            const auto& x = std::get<update>(in);
            bool array = ends_in_index(x.path);
            append_name(out, array ? "ArrayUpdate" : "Update");
            append_target(out, cs, x);
            out += ", value=";
            append_payload(out, cs, x.value);
            if (array)
                out += ", prior_size=" + std::to_string(x.prior_size);
            else
                out += std::string(", default=") + (x.is_default ? '1' : '0');
            break;
        }
        case 5: {
            const auto& x = std::get<add_integer>(in);
            append_name(out, "AddInteger");
            append_target(out, cs, x);
            out += ", value=" + std::to_string(x.value);
            break;
        }
        case 6: {
            const auto& x = std::get<add_column>(in);
            append_name(out, "AddColumn");
            out += "table=";
            q(x.table);
            out += ", field=";
            q(x.field);
            out += ", type=";
            out += x.type == payload_type::null ? "Mixed" : name_of(x.type);
            out += std::string(", nullable=") + (x.nullable ? '1' : '0');
            out += ", collection_type=";
            out += name_of(x.collection);
            if (x.type == payload_type::link) {
                out += ", target_table=";
                q(x.link_target_table);
            }
            if (x.collection == collection_type::dictionary) {
                out += ", key_type=";
                out += x.key_type == payload_type::null ? "Mixed" : name_of(x.key_type);
            }
            break;
        }
        case 7:
            append_name(out, "EraseColumn");
            out += "table=";
            q(std::get<erase_column>(in).table);
            out += ", field=";
            q(std::get<erase_column>(in).field);
            break;
        case 8: {
            const auto& x = std::get<array_insert>(in);
            append_name(out, "ArrayInsert");
            append_target(out, cs, x);
            out += ", value=";
            append_payload(out, cs, x.value);
            out += ", prior_size=" + std::to_string(x.prior_size);
            break;
        }
        case 9: {
            const auto& x = std::get<array_move>(in);
            append_name(out, "ArrayMove");
            append_target(out, cs, x);
            out += ", ndx_2=" + std::to_string(x.ndx_2) + ", prior_size=" + std::to_string(x.prior_size);
            break;
        }
        case 10: {
            const auto& x = std::get<array_erase>(in);
            append_name(out, "ArrayErase");
            append_target(out, cs, x);
            out += ", prior_size=" + std::to_string(x.prior_size);
            break;
        }
        case 11: {
            const auto& x = std::get<clear>(in);
            append_name(out, "Clear");
            append_target(out, cs, x);
            out += ", collection_type=";
            out += name_of(x.collection);
            break;
        }
        case 12:
        case 13: {
            const auto& x = in.index() == 12 ? static_cast<const path_target&>(std::get<set_insert>(in))
                                             : static_cast<const path_target&>(std::get<set_erase>(in));
            const auto& v = in.index() == 12 ? std::get<set_insert>(in).value : std::get<set_erase>(in).value;
            append_name(out, in.index() == 12 ? "SetInsert" : "SetErase");
            append_target(out, cs, x);
            out += ", value=";
            append_payload(out, cs, v);
            break;
        }
        default: break;
    }
    return out;
}

/// The interned strings line and then one line per instruction, each ending in '\n'.
inline std::string to_string(const changeset& cs)
{
    std::string out = to_string_interned(cs);
    out += '\n';
    for (const auto& in : cs.instructions) {
        out += to_string(cs, in);
        out += '\n';
    }
    return out;
}

} // namespace realmwire::changeset

#endif
