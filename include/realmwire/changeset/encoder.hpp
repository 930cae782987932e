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
#include <type_traits>
#include <variant>
#include <vector>

namespace realmwire::changeset {

enum class layout { strings_first, client, preserve };

namespace detail {

/// Output over a std::string used as a raw buffer: `room(n)` once per record gives a cursor with n
/// bytes of space, the record is written through it unchecked, `commit` moves the end past it. The
/// writer keeps the cursor in a local (a register): a byte stored through a char* may alias anything,
/// so writing through the buffer's own members made the compiler reload them after every byte.
class out_buffer {
public:
    // The string is sized (zero-filled) only as far as the writes reach, doubling: sizing it to its
    // whole capacity up front cost a memset of the largest changeset ever encoded on every call, more
    // than the encoding itself once a big one had passed through.
    explicit out_buffer(std::string& s) : s_(s) { rebase(0); }
    ~out_buffer() { s_.resize(size()); }
    out_buffer(const out_buffer&) = delete;
    out_buffer& operator=(const out_buffer&) = delete;

    REALMWIRE_ALWAYS_INLINE char* room(std::size_t n)
    {
        if (REALMWIRE_UNLIKELY(static_cast<std::size_t>(end_ - cur_) < n))
            grow(n);
        return cur_;
    }
    REALMWIRE_ALWAYS_INLINE void commit(char* p) noexcept { cur_ = p; }
    std::size_t size() const noexcept { return static_cast<std::size_t>(cur_ - begin_); }

private:
    REALMWIRE_COLD void grow(std::size_t n)
    {
        const std::size_t len = size();
        s_.resize(std::max(s_.size() * 2, len + n + 256));
        rebase(len);
    }
    void rebase(std::size_t len)
    {
        begin_ = s_.empty() ? nullptr : &s_[0];
        cur_ = begin_ + len;
        end_ = begin_ + s_.size();
    }

    std::string& s_;
    char* begin_ = nullptr;
    char* cur_ = nullptr;
    char* end_ = nullptr;
};

// Cursor writes: each returns the cursor past what it wrote.
REALMWIRE_ALWAYS_INLINE char* put_byte(char* p, std::uint8_t b) noexcept
{
    *p = static_cast<char>(b);
    return p + 1;
}
template <class T>
REALMWIRE_ALWAYS_INLINE char* put_int(char* p, T v) noexcept
{
    bool one_byte; // the common case (ids, small sizes, tags)
    if constexpr (std::is_unsigned_v<T>)
        one_byte = v < 64;
    else
        one_byte = v >= 0 && v < 64;
    if (one_byte) {
        *p = static_cast<char>(v);
        return p + 1;
    }
    return p + encode_varint(v, p);
}
REALMWIRE_ALWAYS_INLINE char* put_raw(char* p, const void* data, std::size_t n) noexcept
{
    std::memcpy(p, data, n);
    return p + n;
}
/// put_raw for a string's bytes (n > 0), most of them short names and values: up to 16 bytes with two
/// overlapping fixed-size copies instead of a call to memcpy (which was 14 % of the encoder's time).
/// Reads and writes exactly [data, data + n).
REALMWIRE_ALWAYS_INLINE char* put_bytes(char* p, const char* data, std::size_t n) noexcept
{
    if (n >= 8 && n <= 16) {
        std::uint64_t a, b;
        std::memcpy(&a, data, 8);
        std::memcpy(&b, data + n - 8, 8);
        std::memcpy(p, &a, 8);
        std::memcpy(p + n - 8, &b, 8);
    }
    else if (n >= 4 && n < 8) {
        std::uint32_t a, b;
        std::memcpy(&a, data, 4);
        std::memcpy(&b, data + n - 4, 4);
        std::memcpy(p, &a, 4);
        std::memcpy(p + n - 4, &b, 4);
    }
    else if (n < 4) {
        p[0] = data[0];
        p[n / 2] = data[n / 2];
        p[n - 1] = data[n - 1];
    }
    else {
        std::memcpy(p, data, n);
    }
    return p + n;
}

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
    encoder_impl(const changeset& cs, out_buffer& out) : cs_(cs), out_(out), strings_(cs.strings.size()) {}

    void intern(std::size_t index)
    {
        const std::string& s = cs_.strings[index];
        char* p = out_.room(1 + 2 * max_varint_size + s.size());
        p = put_byte(p, 0x3F);
        p = put_int(p, static_cast<std::uint64_t>(index));
        p = put_int(p, static_cast<std::uint64_t>(s.size()));
        if (!s.empty())
            p = put_bytes(p, s.data(), s.size());
        out_.commit(p);
    }

    /// CreateObject and EraseObject: tag, table, primary key.
    template <class X>
    REALMWIRE_ALWAYS_INLINE char* object_record(std::uint8_t tag, const X& x, bool& bad) noexcept
    {
        char* p = out_.room(64);
        p = put_byte(p, tag);
        p = sid(p, x.table, bad);
        return pk(p, x.object, bad);
    }

    /// Writes one instruction; false (and nothing committed) when the model cannot be written.
    bool write(const instruction& i)
    {
        static_assert(instruction_alternatives_in_tag_order && primary_key_alternatives_in_order); // cases by number
        // Invalid string ids are collected in `bad` instead of branching on each: the output is thrown
        // away on failure anyway.
        bool bad = false;
        char* p;
        switch (i.index()) {
            case 0: {
                const auto& x = *std::get_if<0>(&i);
                p = out_.room(64);
                p = put_byte(p, 0);
                p = sid(p, x.table, bad);
                p = put_int(p, static_cast<std::uint64_t>(x.type));
                if (x.type != table_type::embedded) {
                    p = sid(p, x.pk_field, bad);
                    p = put_int(p, static_cast<std::int64_t>(x.pk_type));
                    p = put_int(p, static_cast<std::uint64_t>(x.pk_nullable));
                }
                break;
            }
            case 1:
                p = out_.room(16);
                p = put_byte(p, 1);
                p = sid(p, std::get_if<1>(&i)->table, bad);
                break;
            case 2: p = object_record(2, *std::get_if<2>(&i), bad); break;
            case 3: p = object_record(3, *std::get_if<3>(&i), bad); break;
            case 4: {
                const auto& x = *std::get_if<4>(&i);
                p = target(4, x, x.value.data.size(), bad);
                p = value(p, x.value, bad);
                if (ends_in_index(x.path))
                    p = put_int(p, x.prior_size);
                else
                    p = put_int(p, static_cast<std::uint64_t>(x.is_default));
                break;
            }
            case 5: {
                const auto& x = *std::get_if<5>(&i);
                p = target(5, x, 0, bad);
                p = put_int(p, x.value);
                break;
            }
            case 6: {
                const auto& x = *std::get_if<6>(&i);
                p = out_.room(64);
                p = put_byte(p, 6);
                p = sid(p, x.table, bad);
                p = sid(p, x.field, bad);
                p = put_int(p, static_cast<std::int64_t>(x.type));
                p = put_int(p, static_cast<std::uint64_t>(x.nullable));
                p = put_int(p, static_cast<std::uint64_t>(x.collection));
                if (x.type == payload_type::link)
                    p = sid(p, x.link_target_table, bad);
                if (x.collection == collection_type::dictionary)
                    p = put_int(p, static_cast<std::int64_t>(x.key_type));
                break;
            }
            case 7: {
                const auto& x = *std::get_if<7>(&i);
                p = out_.room(32);
                p = put_byte(p, 7);
                p = sid(p, x.table, bad);
                p = sid(p, x.field, bad);
                break;
            }
            case 8: {
                const auto& x = *std::get_if<8>(&i);
                bad = !ends_in_index(x.path);
                p = target(8, x, x.value.data.size(), bad);
                p = value(p, x.value, bad);
                p = put_int(p, x.prior_size);
                break;
            }
            case 9: {
                const auto& x = *std::get_if<9>(&i);
                bad = !ends_in_index(x.path);
                p = target(9, x, 0, bad);
                p = put_int(p, x.ndx_2);
                p = put_int(p, x.prior_size);
                break;
            }
            case 10: {
                const auto& x = *std::get_if<10>(&i);
                bad = !ends_in_index(x.path);
                p = target(10, x, 0, bad);
                p = put_int(p, x.prior_size);
                break;
            }
            case 11: {
                const auto& x = *std::get_if<11>(&i);
                p = target(11, x, 0, bad);
                p = put_int(p, static_cast<std::uint64_t>(x.collection));
                break;
            }
            case 12: {
                const auto& x = *std::get_if<12>(&i);
                p = target(12, x, x.value.data.size(), bad);
                p = value(p, x.value, bad);
                break;
            }
            case 13: {
                const auto& x = *std::get_if<13>(&i);
                p = target(13, x, x.value.data.size(), bad);
                p = value(p, x.value, bad);
                break;
            }
            default: return false; // valueless
        }
        if (REALMWIRE_UNLIKELY(bad))
            return false;
        out_.commit(p);
        return true;
    }

private:
    REALMWIRE_ALWAYS_INLINE char* sid(char* p, string_id id, bool& bad) const noexcept
    {
        bad |= id.index >= strings_;
        return put_int(p, id.index);
    }

    REALMWIRE_ALWAYS_INLINE char* pk(char* p, const primary_key& k, bool& bad) const noexcept
    {
        switch (k.index()) {
            case 0: return put_byte(p, 0);
            case 1: return put_int(put_byte(p, 1), *std::get_if<1>(&k));
            case 2: return sid(put_byte(p, 3), *std::get_if<2>(&k), bad);
            case 3: return put_raw(put_byte(p, 10), std::get_if<3>(&k)->bytes.data(), 12);
            case 4: return put_raw(put_byte(p, 11), std::get_if<4>(&k)->bytes.data(), 16);
            case 5: {
                const global_key& g = *std::get_if<5>(&k);
                return put_int(put_int(put_byte(p, 0x40), g.hi), g.lo); // GlobalKey = -1
            }
            default: bad = true; return p; // valueless
        }
    }

    /// Room for the whole record, then its tag, table, object, field and path.
    REALMWIRE_ALWAYS_INLINE char* target(std::uint8_t tag, const path_target& t, std::size_t data_size, bool& bad)
    {
        // Tag 1, ids and sizes 5 each, a key 21, a path element 6, a payload 45 plus its bytes, two
        // trailing integers 10 each: 160 leaves room to spare.
        char* p = out_.room(160 + 16 * t.path.size() + data_size);
        p = put_byte(p, tag);
        p = sid(p, t.table, bad);
        p = pk(p, t.object, bad);
        p = sid(p, t.field, bad);
        p = put_int(p, static_cast<std::uint32_t>(t.path.size()));
        for (const auto& e : t.path) {
            if (e.index() == 0)
                p = put_int(p, static_cast<std::int64_t>(*std::get_if<0>(&e)));
            else
                p = sid(put_byte(p, 0x40), *std::get_if<1>(&e), bad); // string marker -1
        }
        return p;
    }

    REALMWIRE_ALWAYS_INLINE char* value(char* p, const payload& v, bool& bad) const noexcept
    {
        p = put_int(p, static_cast<std::int64_t>(v.type));
        switch (v.type) {
            case payload_type::integer: return put_int(p, v.integer);
            case payload_type::boolean: return put_byte(p, v.boolean ? 1 : 0);
            case payload_type::string:
            case payload_type::binary:
                p = put_int(p, static_cast<std::uint64_t>(v.data.size()));
                return v.data.empty() ? p : put_bytes(p, v.data.data(), v.data.size());
            case payload_type::timestamp:
                return put_int(put_int(p, v.time.seconds), static_cast<std::int64_t>(v.time.nanoseconds));
            case payload_type::float_: {
                std::uint32_t bits;
                std::memcpy(&bits, &v.float_value, 4);
                bits = ::realmwire::detail::little_endian(bits);
                return put_raw(p, &bits, 4);
            }
            case payload_type::double_: {
                std::uint64_t bits;
                std::memcpy(&bits, &v.double_value, 8);
                bits = ::realmwire::detail::little_endian(bits);
                return put_raw(p, &bits, 8);
            }
            case payload_type::decimal:
                p += encode_bid128_varint({v.decimal.coefficient_lo, v.decimal.coefficient_hi}, p);
                p = put_int(p, static_cast<std::int64_t>(v.decimal.exponent));
                return put_int(p, static_cast<std::uint64_t>(v.decimal.negative));
            case payload_type::link: return pk(sid(p, v.link_value.target_table, bad), v.link_value.target, bad);
            case payload_type::object_id: return put_raw(p, v.oid.bytes.data(), 12);
            case payload_type::uuid: return put_raw(p, v.uuid_value.bytes.data(), 16);
            default: return p; // no body
        }
    }

    const changeset& cs_;
    out_buffer& out_;
    const std::size_t strings_;
};

// On a large changeset the encoder waits on memory, not on its arithmetic: a changeset's instructions,
// strings and placement are three separate allocations, each read once, and the jump on each
// instruction's type keeps the CPU from running far ahead on its own. So the first lines of all three
// are requested at once, and each instruction two ahead of the one being written (10k corpus: +7 %
// against none; 4 ahead measured the same, prefetching heap payload bytes too gave nothing).
inline constexpr std::size_t prefetch_distance = 2;

REALMWIRE_ALWAYS_INLINE void prefetch_lines(const void* p, std::size_t bytes) noexcept
{
#if defined(__GNUC__)
    for (std::size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(static_cast<const char*>(p) + o);
#else
    (void)p;
    (void)bytes;
#endif
}

inline void prefetch_start(const changeset& cs) noexcept
{
    const std::size_t n = std::min<std::size_t>(cs.instructions.size(), prefetch_distance);
    if (n)
        prefetch_lines(cs.instructions.data(), n * sizeof(instruction));
    if (!cs.strings.empty())
        prefetch_lines(cs.strings.data(), std::min<std::size_t>(cs.strings.size(), 4) * sizeof(std::string));
    if (!cs.placement.empty())
        prefetch_lines(cs.placement.data(), 64);
}

REALMWIRE_ALWAYS_INLINE void prefetch_ahead(const std::vector<instruction>& v, std::size_t k) noexcept
{
    if (k + prefetch_distance < v.size())
        prefetch_lines(v.data() + k + prefetch_distance, sizeof(instruction));
}

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
        detail::prefetch_start(cs);
        if (l == layout::strings_first || (l == layout::preserve && cs.placement.size() != cs.strings.size())) {
            if (!cs.instructions.empty()) { // realm-core writes nothing for an empty changeset
                for (std::size_t i = 0; i < cs.strings.size(); ++i)
                    enc.intern(i);
                for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
                    detail::prefetch_ahead(cs.instructions, k);
                    if (!enc.write(cs.instructions[k])) {
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
                if (ok && k < cs.instructions.size()) {
                    detail::prefetch_ahead(cs.instructions, k);
                    if (!enc.write(cs.instructions[k]))
                        ok = false;
                }
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
