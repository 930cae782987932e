#ifndef REALMWIRE_CHANGESET_ENCODER_HPP
#define REALMWIRE_CHANGESET_ENCODER_HPP

// The changeset encoder: the value model to realm-core's bytes, in either of realm-core's layouts.
//
// * layout::strings_first: realm-core's encode_changeset (the server, the OT merge path, the vectors'
//   generator): every interned string first, in index order, then the instructions. Like realm-core it
//   writes nothing at all for a changeset without instructions.
// * layout::client: realm-core's replication encoder (a client's UPLOAD): each InternString record right
//   before the instruction that first uses the string; a string no instruction uses (the "" a client
//   interns for AddColumn and pk-less AddTable) goes right after the string interned before it.
// * layout::preserve: where each record stood in the decoded input (changeset::placement), so a decoded
//   changeset re-encodes to its own bytes whatever produced it. Without placement: strings_first.
//
// The encoder checks what it needs to write valid bytes (string ids in range, list instructions ending
// in an index, placement consistent) and reports changeset_error::invalid_model otherwise. Values are
// written as given: decode the output to check the rest.

#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/integer_codec.hpp"
#include "realmwire/config.hpp"
#include "realmwire/detail/byte_order.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/changeset.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

namespace realmwire::changeset {

enum class layout { strings_first, client, preserve };

namespace detail {

/// Output over a std::string used as a raw buffer: `ensure` once per record, then unchecked writes.
class out_buffer {
public:
    // The string is sized (zero-filled) only as far as the writes reach, doubling: sizing it to its
    // whole capacity up front cost a memset of the largest changeset ever encoded on every call, more
    // than the encoding itself once a big one had passed through.
    explicit out_buffer(std::string& s) : s_(s) {}
    ~out_buffer() { s_.resize(len_); }
    out_buffer(const out_buffer&) = delete;
    out_buffer& operator=(const out_buffer&) = delete;

    REALMWIRE_ALWAYS_INLINE void ensure(std::size_t n)
    {
        if (REALMWIRE_UNLIKELY(s_.size() - len_ < n))
            grow(n);
    }
    template <class T>
    REALMWIRE_ALWAYS_INLINE void put_int(T v) noexcept
    {
        char* p = &s_[len_];
        if constexpr (std::is_unsigned_v<T>) {
            if (v < 64) {
                *p = static_cast<char>(v);
                ++len_;
                return;
            }
        }
        else {
            if (v >= 0 && v < 64) {
                *p = static_cast<char>(v);
                ++len_;
                return;
            }
        }
        len_ += encode_varint(v, p);
    }
    REALMWIRE_ALWAYS_INLINE void put_byte(std::uint8_t b) noexcept { s_[len_++] = static_cast<char>(b); }
    REALMWIRE_ALWAYS_INLINE void put_raw(const void* data, std::size_t n) noexcept
    {
        if (n)
            std::memcpy(&s_[len_], data, n);
        len_ += n;
    }
    std::size_t size() const noexcept { return len_; }

private:
    REALMWIRE_COLD void grow(std::size_t n) { s_.resize(std::max(s_.size() * 2, len_ + n + 256)); }

    std::string& s_;
    std::size_t len_ = 0;
};

/// Calls f(string_id) for every string an instruction references, in wire order.
template <class F>
void for_each_string_ref(const instruction& i, F&& f)
{
    auto pk = [&](const primary_key& k) {
        if (auto s = std::get_if<string_id>(&k))
            f(*s);
    };
    auto value = [&](const payload& p) {
        if (p.type == payload_type::link) {
            f(p.link_value.target_table);
            pk(p.link_value.target);
        }
    };
    auto target = [&](const path_target& t) {
        f(t.table);
        pk(t.object);
        f(t.field);
        for (const auto& e : t.path) {
            if (auto s = std::get_if<string_id>(&e))
                f(*s);
        }
    };
    switch (i.index()) {
        case 0: {
            const auto& x = std::get<add_table>(i);
            f(x.table);
            if (x.type != table_type::embedded)
                f(x.pk_field);
            break;
        }
        case 1: f(std::get<erase_table>(i).table); break;
        case 2:
            f(std::get<create_object>(i).table);
            pk(std::get<create_object>(i).object);
            break;
        case 3:
            f(std::get<erase_object>(i).table);
            pk(std::get<erase_object>(i).object);
            break;
        case 4:
            target(std::get<update>(i));
            value(std::get<update>(i).value);
            break;
        case 5: target(std::get<add_integer>(i)); break;
        case 6: {
            const auto& x = std::get<add_column>(i);
            f(x.table);
            f(x.field);
            if (x.type == payload_type::link)
                f(x.link_target_table);
            break;
        }
        case 7:
            f(std::get<erase_column>(i).table);
            f(std::get<erase_column>(i).field);
            break;
        case 8:
            target(std::get<array_insert>(i));
            value(std::get<array_insert>(i).value);
            break;
        case 9: target(std::get<array_move>(i)); break;
        case 10: target(std::get<array_erase>(i)); break;
        case 11: target(std::get<clear>(i)); break;
        case 12:
            target(std::get<set_insert>(i));
            value(std::get<set_insert>(i).value);
            break;
        case 13:
            target(std::get<set_erase>(i));
            value(std::get<set_erase>(i).value);
            break;
        default: break;
    }
}

class encoder_impl {
public:
    encoder_impl(const changeset& cs, out_buffer& out) : cs_(cs), out_(out) {}

    bool intern(std::size_t index)
    {
        const std::string& s = cs_.strings[index];
        out_.ensure(32 + s.size());
        out_.put_byte(0x3F);
        out_.put_int(static_cast<std::uint64_t>(index));
        out_.put_int(static_cast<std::uint64_t>(s.size()));
        out_.put_raw(s.data(), s.size());
        return true;
    }

    bool write(const instruction& i)
    {
        static_assert(instruction_alternatives_in_tag_order && primary_key_alternatives_in_order); // cases by number
        switch (i.index()) {
            case 0: {
                const auto& x = std::get<add_table>(i);
                out_.ensure(64);
                out_.put_byte(0);
                if (!sid(x.table))
                    return false;
                out_.put_int(static_cast<std::uint64_t>(x.type));
                if (x.type != table_type::embedded) {
                    if (!sid(x.pk_field))
                        return false;
                    out_.put_int(static_cast<std::int64_t>(x.pk_type));
                    out_.put_int(static_cast<std::uint64_t>(x.pk_nullable));
                }
                return true;
            }
            case 1:
                out_.ensure(16);
                out_.put_byte(1);
                return sid(std::get<erase_table>(i).table);
            case 2:
                out_.ensure(64);
                out_.put_byte(2);
                return sid(std::get<create_object>(i).table) && pk(std::get<create_object>(i).object);
            case 3:
                out_.ensure(64);
                out_.put_byte(3);
                return sid(std::get<erase_object>(i).table) && pk(std::get<erase_object>(i).object);
            case 4: {
                const auto& x = std::get<update>(i);
                if (!target(4, x, x.value.data.size()) || !value(x.value))
                    return false;
                if (ends_in_index(x.path))
                    out_.put_int(x.prior_size);
                else
                    out_.put_int(static_cast<std::uint64_t>(x.is_default));
                return true;
            }
            case 5: {
                const auto& x = std::get<add_integer>(i);
                if (!target(5, x, 0))
                    return false;
                out_.put_int(x.value);
                return true;
            }
            case 6: {
                const auto& x = std::get<add_column>(i);
                out_.ensure(64);
                out_.put_byte(6);
                if (!sid(x.table) || !sid(x.field))
                    return false;
                out_.put_int(static_cast<std::int64_t>(x.type));
                out_.put_int(static_cast<std::uint64_t>(x.nullable));
                out_.put_int(static_cast<std::uint64_t>(x.collection));
                if (x.type == payload_type::link && !sid(x.link_target_table))
                    return false;
                if (x.collection == collection_type::dictionary)
                    out_.put_int(static_cast<std::int64_t>(x.key_type));
                return true;
            }
            case 7:
                out_.ensure(32);
                out_.put_byte(7);
                return sid(std::get<erase_column>(i).table) && sid(std::get<erase_column>(i).field);
            case 8: {
                const auto& x = std::get<array_insert>(i);
                if (!ends_in_index(x.path))
                    return false;
                if (!target(8, x, x.value.data.size()) || !value(x.value))
                    return false;
                out_.put_int(x.prior_size);
                return true;
            }
            case 9: {
                const auto& x = std::get<array_move>(i);
                if (!ends_in_index(x.path) || !target(9, x, 0))
                    return false;
                out_.put_int(x.ndx_2);
                out_.put_int(x.prior_size);
                return true;
            }
            case 10: {
                const auto& x = std::get<array_erase>(i);
                if (!ends_in_index(x.path) || !target(10, x, 0))
                    return false;
                out_.put_int(x.prior_size);
                return true;
            }
            case 11: {
                const auto& x = std::get<clear>(i);
                if (!target(11, x, 0))
                    return false;
                out_.put_int(static_cast<std::uint64_t>(x.collection));
                return true;
            }
            case 12: {
                const auto& x = std::get<set_insert>(i);
                return target(12, x, x.value.data.size()) && value(x.value);
            }
            case 13: {
                const auto& x = std::get<set_erase>(i);
                return target(13, x, x.value.data.size()) && value(x.value);
            }
            default: return false;
        }
    }

private:
    REALMWIRE_ALWAYS_INLINE bool sid(string_id id)
    {
        if (REALMWIRE_UNLIKELY(id.index >= cs_.strings.size()))
            return false;
        out_.put_int(id.index);
        return true;
    }

    bool pk(const primary_key& k)
    {
        switch (k.index()) {
            case 0: out_.put_byte(0); return true;
            case 1:
                out_.put_byte(1);
                out_.put_int(std::get<std::int64_t>(k));
                return true;
            case 2: out_.put_byte(3); return sid(std::get<string_id>(k));
            case 3:
                out_.put_byte(10);
                out_.put_raw(std::get<object_id>(k).bytes.data(), 12);
                return true;
            case 4:
                out_.put_byte(11);
                out_.put_raw(std::get<uuid>(k).bytes.data(), 16);
                return true;
            case 5:
                out_.put_byte(0x40); // GlobalKey = -1
                out_.put_int(std::get<global_key>(k).hi);
                out_.put_int(std::get<global_key>(k).lo);
                return true;
            default: return false;
        }
    }

    /// Tag, table, object, field and path; reserves room for the rest of the record.
    bool target(std::uint8_t tag, const path_target& t, std::size_t data_size)
    {
        out_.ensure(160 + 16 * t.path.size() + data_size);
        out_.put_byte(tag);
        if (!sid(t.table) || !pk(t.object) || !sid(t.field))
            return false;
        out_.put_int(static_cast<std::uint32_t>(t.path.size()));
        for (const auto& e : t.path) {
            if (e.index() == 0) {
                out_.put_int(static_cast<std::int64_t>(std::get<std::uint32_t>(e)));
            }
            else {
                out_.put_byte(0x40); // string marker -1
                if (!sid(std::get<string_id>(e)))
                    return false;
            }
        }
        return true;
    }

    bool value(const payload& v)
    {
        out_.put_int(static_cast<std::int64_t>(v.type));
        switch (v.type) {
            case payload_type::integer: out_.put_int(v.integer); return true;
            case payload_type::boolean: out_.put_int(static_cast<std::uint64_t>(v.boolean)); return true;
            case payload_type::string:
            case payload_type::binary:
                out_.put_int(static_cast<std::uint64_t>(v.data.size()));
                out_.put_raw(v.data.data(), v.data.size());
                return true;
            case payload_type::timestamp:
                out_.put_int(v.time.seconds);
                out_.put_int(static_cast<std::int64_t>(v.time.nanoseconds));
                return true;
            case payload_type::float_: {
                std::uint32_t bits;
                std::memcpy(&bits, &v.float_value, 4);
                bits = ::realmwire::detail::little_endian(bits);
                out_.put_raw(&bits, 4);
                return true;
            }
            case payload_type::double_: {
                std::uint64_t bits;
                std::memcpy(&bits, &v.double_value, 8);
                bits = ::realmwire::detail::little_endian(bits);
                out_.put_raw(&bits, 8);
                return true;
            }
            case payload_type::decimal: {
                char buf[24];
                std::size_t n = encode_bid128_varint({v.decimal.coefficient_lo, v.decimal.coefficient_hi}, buf);
                out_.put_raw(buf, n);
                out_.put_int(static_cast<std::int64_t>(v.decimal.exponent));
                out_.put_int(static_cast<std::uint64_t>(v.decimal.negative));
                return true;
            }
            case payload_type::link: return sid(v.link_value.target_table) && pk(v.link_value.target);
            case payload_type::object_id: out_.put_raw(v.oid.bytes.data(), 12); return true;
            case payload_type::uuid: out_.put_raw(v.uuid_value.bytes.data(), 16); return true;
            default: return true; // no body
        }
    }

    const changeset& cs_;
    out_buffer& out_;
};

} // namespace detail

/// The InternString placement (instructions preceding each record) that `l` gives for `cs`.
inline std::vector<std::size_t> string_placement(const changeset& cs, layout l)
{
    const std::size_t n = cs.strings.size();
    std::vector<std::size_t> pos(n, 0);
    if (l == layout::strings_first)
        return pos;
    if (l == layout::preserve) {
        if (cs.placement.size() == n)
            return cs.placement;
        return pos;
    }
    constexpr std::size_t unused = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> first(n, unused);
    for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
        detail::for_each_string_ref(cs.instructions[k], [&](string_id id) {
            if (id.index < n && first[id.index] == unused)
                first[id.index] = k;
        });
    }
    // Lazily: right before first use; an unused string right after the string before it.
    for (std::size_t i = 0; i < n; ++i)
        pos[i] = first[i] != unused ? first[i] : (i ? pos[i - 1] : 0);
    // Indices must still appear in order: pull earlier strings forward where a later one is used first.
    for (std::size_t i = n; i-- > 1;)
        pos[i - 1] = std::min(pos[i - 1], pos[i]);
    return pos;
}

/// Encodes `cs` into `out` (replacing its content, reusing its capacity).
inline void encode(const changeset& cs, std::string& out, layout l, std::error_code& ec)
{
    ec.clear();
    out.clear();
    if (cs.strings.size() > std::numeric_limits<std::uint32_t>::max()) {
        ec = changeset_error::invalid_model;
        return;
    }
    bool ok = true;
    {
        detail::out_buffer buf(out);
        detail::encoder_impl enc(cs, buf);
        if (l == layout::strings_first || (l == layout::preserve && cs.placement.size() != cs.strings.size())) {
            if (!cs.instructions.empty()) { // realm-core writes nothing for an empty changeset
                for (std::size_t i = 0; i < cs.strings.size(); ++i)
                    enc.intern(i);
                for (const auto& in : cs.instructions) {
                    if (!enc.write(in)) {
                        ok = false;
                        break;
                    }
                }
            }
        }
        else {
            std::vector<std::size_t> pos;
            const std::vector<std::size_t>* placement = &cs.placement;
            if (l == layout::client) {
                pos = string_placement(cs, l);
                placement = &pos;
            }
            std::size_t next = 0;
            for (std::size_t k = 0; ok && k <= cs.instructions.size(); ++k) {
                while (next < cs.strings.size() && (*placement)[next] <= k) {
                    if ((*placement)[next] != k) { // placements must not decrease
                        ok = false;
                        break;
                    }
                    enc.intern(next++);
                }
                if (ok && k < cs.instructions.size() && !enc.write(cs.instructions[k]))
                    ok = false;
            }
            if (ok && next != cs.strings.size())
                ok = false; // a placement beyond the last instruction
        }
    }
    if (!ok) {
        out.clear();
        ec = changeset_error::invalid_model;
    }
}

inline std::string encode(const changeset& cs, layout l, std::error_code& ec)
{
    std::string out;
    encode(cs, out, l, ec);
    return out;
}

/// Throwing form.
inline std::string encode(const changeset& cs, layout l = layout::strings_first)
{
    std::error_code ec;
    std::string out = encode(cs, l, ec);
    if (ec)
        throw_error(ec, "changeset encode");
    return out;
}

} // namespace realmwire::changeset

#endif
