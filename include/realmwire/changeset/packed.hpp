#ifndef REALMWIRE_CHANGESET_PACKED_HPP
#define REALMWIRE_CHANGESET_PACKED_HPP

// A decoded changeset in a few flat arrays: the validated input bytes, one 76-byte record per
// instruction, a table of the interned strings and the paths' elements. For holding many changesets
// (a history, a queue of uploads) and reading them in any order without decoding again: decoding into
// it allocates nothing once its arrays have grown (no string or path of its own per instruction, as
// the value model of instruction.hpp has), and it keeps the bytes as received, so they go out again
// as they are (bytes()).
//
//   realmwire::changeset::packed_changeset pc;                  // reusable: keeps its capacity
//   realmwire::changeset::decode_changeset(bytes, pc, ec, where); // same checks, errors and offsets
//   for (std::size_t i = 0; i < pc.size(); ++i) {
//       realmwire::changeset::instruction_view in = pc[i];     // the visitor decoder's view
//       ...
//   }
//   realmwire::changeset::changeset model = to_model(pc);        // the value model, when it is needed
//
// pc[i] is the same instruction_view the visitor decoder hands out (decoder.hpp): strings and paths
// in it point into `pc` and stay valid until `pc` is changed or destroyed. Read-only: to edit, convert
// to the value model.

#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/integer_codec.hpp"
#include "realmwire/changeset/model_decoder.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace realmwire::changeset {

class packed_changeset;
bool decode_changeset(std::string_view in, packed_changeset& out, std::error_code& ec, error_info& where,
                      const limits& lim);

namespace detail {

/// One instruction, flat. Which fields mean something depends on `type`, as for instruction_view; the
/// keys and values are stored in 16 bytes each (strings as offsets into the input).
struct packed_record {
    enum flag : std::uint8_t { pk_nullable = 1, nullable = 2, is_default = 4, ends_in_index = 8 };
    instruction_type type = instruction_type::add_table;
    std::uint8_t flags = 0;
    std::uint8_t kind = 0;          ///< table_kind (AddTable) or collection (AddColumn, Clear)
    payload_type type_a{};          ///< pk_type (AddTable) or column_type (AddColumn)
    payload_type key_type{};        ///< AddColumn
    payload_type object_type{};     ///< the type of `object`
    payload_type value_type{};      ///< the type of `value`
    payload_type link_key_type{};   ///< a Link value's key type (the key is in `value`)
    std::uint32_t offset = 0;       ///< byte offset of the instruction's tag
    std::uint32_t table = 0;
    std::uint32_t field = 0;        ///< also AddTable's pk_field
    std::uint32_t other_table = 0;  ///< a Link value's table, AddColumn's link_target_table
    std::uint32_t path_at = 0;      ///< into packed_changeset::path_bytes_
    std::uint32_t path_size = 0;    ///< bytes
    std::uint32_t path_count = 0;   ///< elements
    std::uint32_t prior_size = 0;
    std::uint32_t ndx_2 = 0;
    unsigned char object[16];       ///< primary key
    unsigned char value[16];        ///< payload scalar, string/binary (offset, size), link key, add_value
};
static_assert(std::is_trivially_copyable_v<packed_record>, "packed records are copied as bytes");
static_assert(sizeof(packed_record) == 76, "packed_record grew: keep it flat and small");

template <class T>
inline void put(unsigned char* at, const T& v) noexcept
{
    static_assert(sizeof(T) <= 16 && std::is_trivially_copyable_v<T>);
    std::memcpy(at, &v, sizeof v);
}
template <class T>
inline T get(const unsigned char* at) noexcept
{
    T v;
    std::memcpy(&v, at, sizeof v);
    return v;
}

// Where each type keeps its value in the views (by payload_type + 6). A key's or a scalar's bytes are
// the 16 from there on: every such member is followed by at least 16 - its size bytes of its struct.
inline constexpr std::size_t packed_key_member(payload_type t) noexcept
{
    switch (t) {
        case payload_type::string: return offsetof(primary_key_view, string) + offsetof(interned, index);
        case payload_type::object_id: return offsetof(primary_key_view, oid);
        case payload_type::uuid: return offsetof(primary_key_view, uuid_value);
        case payload_type::global_key: return offsetof(primary_key_view, key);
        default: return offsetof(primary_key_view, integer);
    }
}
inline constexpr std::size_t packed_value_member(payload_type t) noexcept
{
    switch (t) {
        case payload_type::boolean: return offsetof(payload_view, boolean);
        case payload_type::timestamp: return offsetof(payload_view, time);
        case payload_type::float_: return offsetof(payload_view, float_value);
        case payload_type::double_: return offsetof(payload_view, double_value);
        case payload_type::object_id: return offsetof(payload_view, oid);
        case payload_type::uuid: return offsetof(payload_view, uuid_value);
        default: return offsetof(payload_view, integer);
    }
}
struct packed_member_tables {
    std::uint8_t key[18]{};
    std::uint8_t value[18]{};
    // Which instruction types need a field chosen: 1 AddTable, 2 AddColumn, 4 AddInteger.
    std::uint8_t kind[16]{};
    constexpr packed_member_tables() noexcept
    {
        for (int t = -6; t <= 11; ++t) {
            key[t + 6] = static_cast<std::uint8_t>(packed_key_member(static_cast<payload_type>(t)));
            value[t + 6] = static_cast<std::uint8_t>(packed_value_member(static_cast<payload_type>(t)));
        }
        kind[static_cast<int>(instruction_type::add_table)] = 1;
        kind[static_cast<int>(instruction_type::add_column)] = 2;
        kind[static_cast<int>(instruction_type::add_integer)] = 4;
    }
};

} // namespace detail

class packed_changeset {
public:
    packed_changeset() = default;
    packed_changeset(const packed_changeset& o)
        : bytes_(o.bytes_), strings_(o.strings_), records_(o.records_), path_bytes_(o.path_bytes_)
    {
        point_views();
    }
    packed_changeset& operator=(const packed_changeset& o)
    {
        if (this != &o) {
            bytes_ = o.bytes_;
            strings_ = o.strings_;
            records_ = o.records_;
            path_bytes_ = o.path_bytes_;
            point_views();
        }
        return *this;
    }
    // Moving keeps the vectors' buffers, so the views stay where they point.
    packed_changeset(packed_changeset&&) noexcept = default;
    packed_changeset& operator=(packed_changeset&&) noexcept = default;

    /// Instructions.
    std::size_t size() const noexcept { return records_.size(); }
    bool empty() const noexcept { return records_.empty(); }
    /// Interned strings, in interning order.
    std::size_t string_count() const noexcept { return views_.size(); }
    std::string_view str(std::uint32_t id) const noexcept { return views_[id]; }
    /// For each interned string, the number of instructions before its InternString record.
    std::size_t placement(std::uint32_t id) const noexcept { return strings_[id].placement; }
    /// The changeset's bytes as decoded (validated).
    std::string_view bytes() const noexcept { return {bytes_.data(), bytes_.size()}; }
    /// Memory held: what a history of these accounts for.
    std::size_t approx_bytes() const noexcept
    {
        return sizeof(*this) + bytes_.capacity() + strings_.capacity() * sizeof(strings_[0]) +
               views_.capacity() * sizeof(views_[0]) +
               records_.capacity() * sizeof(records_[0]) + path_bytes_.capacity();
    }

    /// Gives back the capacity beyond what this changeset uses (the arrays grow by doubling while
    /// decoding): for one that will be held, not for one reused for the next decode.
    void shrink_to_fit()
    {
        bytes_.shrink_to_fit();
        strings_.shrink_to_fit();
        views_.shrink_to_fit();
        records_.shrink_to_fit();
        path_bytes_.shrink_to_fit();
    }

    /// Instruction `i` (< size()) as the visitor decoder's view.
    instruction_view operator[](std::size_t i) const noexcept
    {
        const detail::packed_record& r = records_[i];
        instruction_view in;
        in.type = r.type;
        in.offset = r.offset;
        switch (r.type) {
            case instruction_type::add_table:
                in.table = name(r.table);
                in.table_kind = static_cast<table_type>(r.kind);
                if (in.table_kind != table_type::embedded) {
                    in.pk_field = name(r.field);
                    in.pk_type = r.type_a;
                    in.pk_nullable = (r.flags & detail::packed_record::pk_nullable) != 0;
                }
                break;
            case instruction_type::erase_table: in.table = name(r.table); break;
            case instruction_type::create_object:
            case instruction_type::erase_object:
                in.table = name(r.table);
                in.object = key(r.object_type, r.object);
                break;
            case instruction_type::add_column:
                in.table = name(r.table);
                in.field = name(r.field);
                in.column_type = r.type_a;
                in.nullable = (r.flags & detail::packed_record::nullable) != 0;
                in.collection = static_cast<collection_type>(r.kind);
                if (r.type_a == payload_type::link)
                    in.link_target_table = name(r.other_table);
                in.key_type = r.key_type;
                break;
            case instruction_type::erase_column:
                in.table = name(r.table);
                in.field = name(r.field);
                break;
            default: // the path instructions
                in.table = name(r.table);
                in.object = key(r.object_type, r.object);
                in.field = name(r.field);
                in.path = path_view(path_bytes_.data() + r.path_at, path_bytes_.data() + r.path_at + r.path_size,
                                    r.path_count, views_.data(), (r.flags & detail::packed_record::ends_in_index) != 0);
                in.prior_size = r.prior_size;
                in.ndx_2 = r.ndx_2;
                in.is_default = (r.flags & detail::packed_record::is_default) != 0;
                in.collection = static_cast<collection_type>(r.kind);
                if (r.type == instruction_type::add_integer)
                    in.add_value = detail::get<std::int64_t>(r.value);
                else
                    in.value = payload(r);
                break;
        }
        return in;
    }

private:
    friend bool decode_changeset(std::string_view, packed_changeset&, std::error_code&, error_info&, const limits&);
    struct builder;
    struct string_ref {
        std::uint32_t at = 0, size = 0;
        std::uint32_t placement = 0; ///< instructions before its InternString record
    };

    interned name(std::uint32_t id) const noexcept { return {id, views_[id]}; }

    primary_key_view key(payload_type t, const unsigned char* b) const noexcept
    {
        primary_key_view k;
        k.type = t;
        switch (t) {
            case payload_type::integer: k.integer = detail::get<std::int64_t>(b); break;
            case payload_type::string: k.string = name(detail::get<std::uint32_t>(b)); break;
            case payload_type::object_id: std::memcpy(k.oid.bytes.data(), b, 12); break;
            case payload_type::uuid: std::memcpy(k.uuid_value.bytes.data(), b, 16); break;
            case payload_type::global_key:
                k.key.hi = detail::get<std::uint64_t>(b);
                k.key.lo = detail::get<std::uint64_t>(b + 8);
                break;
            default: break;
        }
        return k;
    }

    payload_view payload(const detail::packed_record& r) const noexcept
    {
        payload_view v;
        v.type = r.value_type;
        const unsigned char* b = r.value;
        switch (r.value_type) {
            case payload_type::integer: v.integer = detail::get<std::int64_t>(b); break;
            case payload_type::boolean: v.boolean = b[0] != 0; break;
            case payload_type::string:
            case payload_type::binary:
                v.data = std::string_view(bytes_.data() + detail::get<std::uint32_t>(b), detail::get<std::uint32_t>(b + 4));
                break;
            case payload_type::timestamp:
                v.time.seconds = detail::get<std::int64_t>(b);
                v.time.nanoseconds = detail::get<std::int32_t>(b + 8);
                break;
            case payload_type::float_: v.float_value = detail::get<float>(b); break;
            case payload_type::double_: v.double_value = detail::get<double>(b); break;
            case payload_type::decimal:
                v.decimal = decimal128::from_bid(detail::get<std::uint64_t>(b), detail::get<std::uint64_t>(b + 8));
                break;
            case payload_type::link:
                v.link_table = name(r.other_table);
                v.link_target = key(r.link_key_type, b);
                break;
            case payload_type::object_id: std::memcpy(v.oid.bytes.data(), b, 12); break;
            case payload_type::uuid: std::memcpy(v.uuid_value.bytes.data(), b, 16); break;
            default: break;
        }
        return v;
    }

    // Empties it, keeping the capacity.
    void clear() noexcept
    {
        bytes_.clear();
        strings_.clear();
        views_.clear();
        records_.clear();
        path_bytes_.clear();
    }

    void point_views()
    {
        views_.resize(strings_.size());
        for (std::size_t i = 0; i < strings_.size(); ++i)
            views_[i] = std::string_view(bytes_.data() + strings_[i].at, strings_[i].size);
    }

    std::vector<char> bytes_;
    std::vector<string_ref> strings_;
    std::vector<std::string_view> views_; ///< strings_ as views into bytes_ (what path_view reads)
    std::vector<detail::packed_record> records_;
    std::vector<std::uint8_t> path_bytes_; ///< every path's elements, in the wire's encoding
};

/// What the visitor decoder calls while decoding into a packed_changeset. Written without a switch on
/// the instruction, key or payload type: those are random in real changesets, and each switch
/// mispredicted about once per instruction (a first version with them cost two thirds of the decoder's
/// own time). Each field is taken from where the view keeps it for every type, the few type-dependent
/// ones chosen by a condition; keys and scalar payloads are copied as the 16 bytes at the member the
/// type names, found in a table.
struct packed_changeset::builder {
    packed_changeset* out;
    const char* base;

    // As integers: the value's view of a non-string type may hold no pointer at all (or one from an
    // earlier instruction), and subtracting unrelated pointers is undefined; such offsets are not read.
    std::uint32_t offset_of(const char* p) const noexcept
    {
        return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base));
    }

    void intern_string(std::uint32_t, std::string_view s)
    {
        out->strings_.push_back({offset_of(s.data()), static_cast<std::uint32_t>(s.size()),
                                 static_cast<std::uint32_t>(out->records_.size())});
    }

    using member_tables = detail::packed_member_tables;
    // A constant, not a function-local static: no initialisation guard to test per instruction.
    static constexpr member_tables tables{};

    static_assert(sizeof(primary_key_view) >= offsetof(primary_key_view, key) + 16 &&
                      sizeof(primary_key_view) >= offsetof(primary_key_view, uuid_value) + 16 &&
                      sizeof(primary_key_view) >= offsetof(primary_key_view, oid) + 16 &&
                      sizeof(primary_key_view) >= offsetof(primary_key_view, string) + offsetof(interned, index) + 16,
                  "a key member must be followed by 16 bytes of its view");
    static_assert(sizeof(payload_view) >= offsetof(payload_view, uuid_value) + 16 &&
                      sizeof(payload_view) >= offsetof(payload_view, oid) + 16 &&
                      sizeof(payload_view) >= offsetof(payload_view, time) + 16 &&
                      sizeof(payload_view) >= offsetof(payload_view, double_value) + 16,
                  "a payload member must be followed by 16 bytes of its view");

    static void put_key(unsigned char* b, const primary_key_view& k, const member_tables& t) noexcept
    {
        // Key types are checked by the decoder (-6..11), so the index is in range.
        std::memcpy(b, reinterpret_cast<const unsigned char*>(&k) + t.key[static_cast<int>(k.type) + 6], 16);
    }

    void put_path(detail::packed_record& r, const path_view& p)
    {
        auto& pb = out->path_bytes_;
        r.path_at = static_cast<std::uint32_t>(pb.size());
        r.path_count = p.size();
        for (const path_element_view& e : p) { // none for the instructions without a path
            char buf[2 * max_varint_size];
            std::size_t n = e.is_index ? encode_varint(static_cast<std::int64_t>(e.index), buf)
                                       : encode_varint(std::int64_t{-1}, buf);
            if (!e.is_index)
                n += encode_varint(e.key.index, buf + n);
            pb.insert(pb.end(), buf, buf + n);
        }
        r.path_size = static_cast<std::uint32_t>(pb.size() - r.path_at);
    }

    void instruction(const instruction_view& in)
    {
        const member_tables& t = tables;
        detail::packed_record r;
        const instruction_type ty = in.type;
        // From a table, not from comparisons: the compiler turns a chain of comparisons into branches.
        const std::uint8_t what = t.kind[static_cast<std::uint8_t>(ty) & 15];
        const bool is_add_table = (what & 1) != 0;
        r.type = ty;
        r.offset = static_cast<std::uint32_t>(in.offset);
        r.table = in.table.index;
        r.field = is_add_table ? in.pk_field.index : in.field.index;
        r.kind = is_add_table ? static_cast<std::uint8_t>(in.table_kind) : static_cast<std::uint8_t>(in.collection);
        r.type_a = is_add_table ? in.pk_type : in.column_type;
        r.key_type = in.key_type;
        r.flags = static_cast<std::uint8_t>(in.pk_nullable * detail::packed_record::pk_nullable |
                                            in.nullable * detail::packed_record::nullable |
                                            in.is_default * detail::packed_record::is_default |
                                            in.path.ends_in_index() * detail::packed_record::ends_in_index);
        r.other_table = (what & 2) != 0 ? in.link_target_table.index : in.value.link_table.index;
        r.prior_size = in.prior_size;
        r.ndx_2 = in.ndx_2;
        r.object_type = in.object.type;
        put_key(r.object, in.object, t);

        // The value: a scalar from its member, String/Binary as (offset, size), a Link's key, a
        // Decimal128's BID bits; AddInteger's addend last (its view keeps the value of an earlier
        // instruction, of any type). Making the choices branch-free (masks) cost more instructions than
        // the mispredictions it saved: measured slower.
        const payload_view& v = in.value;
        r.value_type = v.type;
        r.link_key_type = v.link_target.type;
        std::memcpy(r.value, reinterpret_cast<const unsigned char*>(&v) + t.value[static_cast<int>(v.type) + 6], 16);
        if (REALMWIRE_UNLIKELY(v.type == payload_type::link))
            put_key(r.value, v.link_target, t);
        else if (REALMWIRE_UNLIKELY(v.type == payload_type::decimal)) {
            std::uint64_t d[2];
            v.decimal.to_bid(d[0], d[1]);
            std::memcpy(r.value, d, 16);
        }
        std::uint64_t w0 = 0;
        std::memcpy(&w0, r.value, 8);
        const std::uint64_t data = static_cast<std::uint64_t>(offset_of(v.data.data())) |
                                   static_cast<std::uint64_t>(v.data.size()) << 32;
        w0 = v.type == payload_type::string || v.type == payload_type::binary ? data : w0;
        w0 = (what & 4) != 0 ? static_cast<std::uint64_t>(in.add_value) : w0;
        std::memcpy(r.value, &w0, 8);

        put_path(r, in.path);
        out->records_.push_back(r);
    }
};

/// Decodes `in` into `out` (replacing its content; its arrays keep their capacity). Same checks, errors
/// and offsets as the other decoders. On error `out` is empty.
inline bool decode_changeset(std::string_view in, packed_changeset& out, std::error_code& ec, error_info& where,
                             const limits& lim = {})
{
    // Checked before the copy (an oversized input is not copied first), with the decoder's error and
    // offset. Offsets are 32-bit: 4 GiB is far above any size realm-core sends (16 MiB per UPLOAD).
    const std::size_t most = std::min<std::size_t>(lim.max_changeset_size, std::numeric_limits<std::uint32_t>::max());
    if (in.size() > most) {
        out.clear();
        ec = make_error_code(changeset_error::changeset_too_large);
        where = error_info{most, "changeset"};
        return false;
    }
    if (!out.bytes_.empty() && in.data() >= out.bytes_.data() && in.data() < out.bytes_.data() + out.bytes_.size()) {
        // Its own bytes (or part of them) decoded again: they are replaced while being read otherwise.
        const std::vector<char> own(in.begin(), in.end());
        return decode_changeset(std::string_view(own.data(), own.size()), out, ec, where, lim);
    }
    out.clear();
    out.bytes_.assign(in.begin(), in.end());
    packed_changeset::builder b{&out, out.bytes_.data()};
    decoder& d = detail::thread_decoder(lim);
    const bool ok = d.decode(std::string_view(out.bytes_.data(), out.bytes_.size()), b, ec, where);
    d.release_if_large();
    if (ok)
        out.point_views();
    else
        out.clear();
    return ok;
}

inline packed_changeset decode_packed_changeset(std::string_view in, std::error_code& ec, error_info& where,
                                                const limits& lim = {})
{
    packed_changeset pc;
    decode_changeset(in, pc, ec, where, lim);
    pc.shrink_to_fit(); // a fresh one is for holding
    return pc;
}

/// Throwing form: realmwire::system_error with the byte offset in info().
inline packed_changeset decode_packed_changeset(std::string_view in, const limits& lim = {})
{
    packed_changeset pc;
    std::error_code ec;
    error_info where;
    if (!decode_changeset(in, pc, ec, where, lim))
        throw_error(ec, "changeset decode", where);
    pc.shrink_to_fit();
    return pc;
}

/// The value model of the same changeset: equal to decode_changeset(pc.bytes()), placement included.
inline changeset to_model(const packed_changeset& pc)
{
    changeset out;
    detail::model_builder b{&out};
    std::uint32_t s = 0;
    const auto strings = static_cast<std::uint32_t>(pc.string_count());
    for (std::size_t i = 0; i <= pc.size(); ++i) {
        for (; s < strings && pc.placement(s) == i; ++s)
            b.intern_string(s, pc.str(s));
        if (i < pc.size())
            b.instruction(pc[i]);
    }
    b.finish();
    return out;
}

} // namespace realmwire::changeset

#endif
