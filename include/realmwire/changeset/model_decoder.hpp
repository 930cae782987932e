#ifndef REALMWIRE_CHANGESET_MODEL_DECODER_HPP
#define REALMWIRE_CHANGESET_MODEL_DECODER_HPP

// Decoding into the value model (instruction.hpp), on top of the visitor decoder. Same checks, same
// errors and offsets; the result owns its strings and records where each InternString record stood, so
// encode(result, layout::preserve) gives back the input bytes.

#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/instruction.hpp"

#include <cstddef>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace realmwire::changeset {

/// Conversions from the views to the model (to_model for a payload, path or instruction: below).
inline primary_key to_model(const primary_key_view& pk)
{
    switch (pk.type) {
        case payload_type::integer: return pk.integer;
        case payload_type::string: return string_id{pk.string.index};
        case payload_type::object_id: return pk.oid;
        case payload_type::uuid: return pk.uuid_value;
        case payload_type::global_key: return pk.key;
        default: return std::monostate{};
    }
}

namespace detail {

// In-place conversion: decode_changeset(in, out) overwrites the elements `out` already holds instead of
// clearing it, so a changeset object reused across calls keeps the capacity of its strings, paths and
// payload bytes and the instruction slots themselves. Every field equality reads is written (the ones
// the instruction does not carry get their defaults; of a payload's scalars only the one its type
// names), so the result equals a fresh decode.

inline void assign_model(primary_key& dst, const primary_key_view& pk)
{
    dst = to_model(pk); // every alternative is trivially copyable: a plain copy of the variant
}

inline void assign_model(payload& p, const payload_view& v)
{
    // Only the member the type names is written (the scalars share storage; equality reads that one).
    // `data` keeps its capacity; it is emptied for the other types so that it never shows old bytes.
    p.type = v.type;
    switch (v.type) {
        case payload_type::string:
        case payload_type::binary: p.data.assign(v.data.data(), v.data.size()); return;
        case payload_type::integer: p.integer = v.integer; break;
        case payload_type::boolean: p.boolean = v.boolean; break;
        case payload_type::timestamp: p.time = v.time; break;
        case payload_type::float_: p.float_value = v.float_value; break;
        case payload_type::double_: p.double_value = v.double_value; break;
        case payload_type::decimal: p.decimal = v.decimal; break;
        case payload_type::link: p.link_value = link{string_id{v.link_table.index}, to_model(v.link_target)}; break;
        case payload_type::object_id: p.oid = v.oid; break;
        case payload_type::uuid: p.uuid_value = v.uuid_value; break;
        default: break;
    }
    p.data.clear();
}

inline void assign_model(path& dst, const path_view& pv)
{
    dst.clear();
    if (pv.empty())
        return;
    dst.reserve(pv.size());
    for (const auto& e : pv) {
        if (e.is_index)
            dst.emplace_back(e.index);
        else
            dst.emplace_back(string_id{e.key.index});
    }
}

inline void assign_target(path_target& t, const instruction_view& in)
{
    t.table = {in.table.index};
    assign_model(t.object, in.object);
    t.field = {in.field.index};
    assign_model(t.path, in.path);
}

/// The slot's alternative K, kept (with its capacities) when the slot already holds one.
template <std::size_t K>
std::variant_alternative_t<K, instruction>& slot_as(instruction& dst)
{
    using T = std::variant_alternative_t<K, instruction>;
    if (REALMWIRE_LIKELY(dst.index() == K))
        return *std::get_if<K>(&dst);
    // Default-initialised, then moved in: emplace<K>() would value-initialise, zeroing the whole
    // 144-byte slot (a `rep stos` with its start-up cost) before the members' own initialisers ran.
    T fresh;
    return dst.template emplace<K>(std::move(fresh));
}

// One overload per instruction: writes every member equality reads.
inline void assign_fields(add_table& i, const instruction_view& in)
{
    i.table = {in.table.index};
    i.type = in.table_kind;
    const bool pk = in.table_kind != table_type::embedded;
    i.pk_field = pk ? string_id{in.pk_field.index} : string_id{};
    i.pk_type = pk ? in.pk_type : payload_type::integer;
    i.pk_nullable = pk && in.pk_nullable;
}
inline void assign_fields(erase_table& i, const instruction_view& in) { i.table = {in.table.index}; }
inline void assign_fields(create_object& i, const instruction_view& in)
{
    i.table = {in.table.index};
    assign_model(i.object, in.object);
}
inline void assign_fields(erase_object& i, const instruction_view& in)
{
    i.table = {in.table.index};
    assign_model(i.object, in.object);
}
inline void assign_fields(update& i, const instruction_view& in)
{
    assign_target(i, in);
    assign_model(i.value, in.value);
    const bool list = in.path.ends_in_index();
    i.prior_size = list ? in.prior_size : 0;
    i.is_default = !list && in.is_default;
}
inline void assign_fields(add_integer& i, const instruction_view& in)
{
    assign_target(i, in);
    i.value = in.add_value;
}
inline void assign_fields(add_column& i, const instruction_view& in)
{
    i.table = {in.table.index};
    i.field = {in.field.index};
    i.type = in.column_type;
    i.nullable = in.nullable;
    i.collection = in.collection;
    i.link_target_table = in.column_type == payload_type::link ? string_id{in.link_target_table.index} : string_id{};
    i.key_type = in.key_type;
}
inline void assign_fields(erase_column& i, const instruction_view& in)
{
    i.table = {in.table.index};
    i.field = {in.field.index};
}
inline void assign_fields(array_insert& i, const instruction_view& in)
{
    assign_target(i, in);
    assign_model(i.value, in.value);
    i.prior_size = in.prior_size;
}
inline void assign_fields(array_move& i, const instruction_view& in)
{
    assign_target(i, in);
    i.ndx_2 = in.ndx_2;
    i.prior_size = in.prior_size;
}
inline void assign_fields(array_erase& i, const instruction_view& in)
{
    assign_target(i, in);
    i.prior_size = in.prior_size;
}
inline void assign_fields(clear& i, const instruction_view& in)
{
    assign_target(i, in);
    i.collection = in.collection;
}
inline void assign_fields(set_insert& i, const instruction_view& in)
{
    assign_target(i, in);
    assign_model(i.value, in.value);
}
inline void assign_fields(set_erase& i, const instruction_view& in)
{
    assign_target(i, in);
    assign_model(i.value, in.value);
}

inline void assign_model(instruction& dst, const instruction_view& in)
{
    using it = instruction_type;
    switch (in.type) {
        case it::add_table: return assign_fields(slot_as<0>(dst), in);
        case it::erase_table: return assign_fields(slot_as<1>(dst), in);
        case it::create_object: return assign_fields(slot_as<2>(dst), in);
        case it::erase_object: return assign_fields(slot_as<3>(dst), in);
        case it::update: return assign_fields(slot_as<4>(dst), in);
        case it::add_integer: return assign_fields(slot_as<5>(dst), in);
        case it::add_column: return assign_fields(slot_as<6>(dst), in);
        case it::erase_column: return assign_fields(slot_as<7>(dst), in);
        case it::array_insert: return assign_fields(slot_as<8>(dst), in);
        case it::array_move: return assign_fields(slot_as<9>(dst), in);
        case it::array_erase: return assign_fields(slot_as<10>(dst), in);
        case it::clear: return assign_fields(slot_as<11>(dst), in);
        case it::set_insert: return assign_fields(slot_as<12>(dst), in);
        case it::set_erase: return assign_fields(slot_as<13>(dst), in);
    }
}

struct model_builder {
    changeset* out;
    std::size_t strings = 0;      ///< elements written so far (the rest of the vectors are old slots)
    std::size_t instructions = 0;
    void intern_string(std::uint32_t, std::string_view s)
    {
        if (strings < out->strings.size())
            out->strings[strings].assign(s.data(), s.size());
        else
            out->strings.emplace_back(s);
        if (strings < out->placement.size())
            out->placement[strings] = instructions;
        else
            out->placement.push_back(instructions);
        ++strings;
    }
    ::realmwire::changeset::instruction& next_slot()
    {
        if (instructions == out->instructions.size())
            out->instructions.emplace_back(erase_table{}); // not emplace_back(): that zeroes 144 bytes
        return out->instructions[instructions++];
    }
    void instruction(const instruction_view& in) { assign_model(next_slot(), in); }
    /// Drops the old slots past what this decode wrote.
    void finish()
    {
        out->strings.erase(out->strings.begin() + static_cast<std::ptrdiff_t>(strings), out->strings.end());
        out->placement.erase(out->placement.begin() + static_cast<std::ptrdiff_t>(strings), out->placement.end());
        out->instructions.erase(out->instructions.begin() + static_cast<std::ptrdiff_t>(instructions),
                                out->instructions.end());
    }
};

/// The visitor decoder behind decode_changeset, one per thread: its intern table keeps its capacity
/// between calls (a fresh decoder per call allocated and zeroed its table every time). A table grown by
/// an unusually large changeset is let go afterwards, so a thread does not keep it for good.
inline decoder& thread_decoder(const limits& lim)
{
    thread_local decoder d;
    d.set_limits(lim);
    return d;
}

} // namespace detail

/// The value model of a payload (an owning copy of its bytes).
inline payload to_model(const payload_view& v)
{
    payload p;
    detail::assign_model(p, v);
    return p;
}

inline path to_model(const path_view& pv)
{
    path out;
    detail::assign_model(out, pv);
    return out;
}

inline instruction to_model(const instruction_view& in)
{
    instruction out{erase_table{}};
    detail::assign_model(out, in);
    return out;
}

/// Decodes `in` into `out` (replacing its content; the storage `out` already has is reused). On error
/// `out` holds what was decoded before it.
inline bool decode_changeset(std::string_view in, changeset& out, std::error_code& ec, error_info& where,
                             const limits& lim = {})
{
    detail::model_builder b{&out};
    decoder& d = detail::thread_decoder(lim);
    bool ok = d.decode(in, b, ec, where);
    b.finish();
    d.release_if_large();
    return ok;
}

inline changeset decode_changeset(std::string_view in, std::error_code& ec, error_info& where, const limits& lim = {})
{
    changeset cs;
    decode_changeset(in, cs, ec, where, lim);
    return cs;
}

inline changeset decode_changeset(std::string_view in, std::error_code& ec, const limits& lim = {})
{
    error_info where;
    return decode_changeset(in, ec, where, lim);
}

/// Throwing form: realmwire::system_error with the byte offset in info().
inline changeset decode_changeset(std::string_view in, const limits& lim = {})
{
    std::error_code ec;
    error_info where;
    changeset cs = decode_changeset(in, ec, where, lim);
    if (ec)
        throw_error(ec, "changeset decode", where);
    return cs;
}

} // namespace realmwire::changeset

#endif
