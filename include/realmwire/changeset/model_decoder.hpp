#ifndef REALMWIRE_CHANGESET_MODEL_DECODER_HPP
#define REALMWIRE_CHANGESET_MODEL_DECODER_HPP

// Decoding into the value model (instruction.hpp), on top of the visitor decoder. Same checks, same
// errors and offsets; the result owns its strings and records where each InternString record stood, so
// encode(result, layout::preserve) gives back the input bytes.

#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/instruction.hpp"

#include <string_view>
#include <system_error>
#include <utility>

namespace realmwire::changeset {

/// Conversions from the views to the model.
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

inline payload to_model(const payload_view& v)
{
    payload p;
    p.type = v.type;
    switch (v.type) {
        case payload_type::integer: p.integer = v.integer; break;
        case payload_type::boolean: p.boolean = v.boolean; break;
        case payload_type::string:
        case payload_type::binary: p.data.assign(v.data.data(), v.data.size()); break;
        case payload_type::timestamp: p.time = v.time; break;
        case payload_type::float_: p.float_value = v.float_value; break;
        case payload_type::double_: p.double_value = v.double_value; break;
        case payload_type::decimal: p.decimal = v.decimal; break;
        case payload_type::link: p.link_value = {string_id{v.link_table.index}, to_model(v.link_target)}; break;
        case payload_type::object_id: p.oid = v.oid; break;
        case payload_type::uuid: p.uuid_value = v.uuid_value; break;
        default: break;
    }
    return p;
}

inline path to_model(const path_view& pv)
{
    path out;
    out.reserve(pv.size());
    for (const auto& e : pv) {
        if (e.is_index)
            out.emplace_back(e.index);
        else
            out.emplace_back(string_id{e.key.index});
    }
    return out;
}

inline instruction to_model(const instruction_view& in)
{
    auto target = [&](path_target& t) {
        t.table = {in.table.index};
        t.object = to_model(in.object);
        t.field = {in.field.index};
        t.path = to_model(in.path);
    };
    switch (in.type) {
        case instruction_type::add_table: {
            add_table i;
            i.table = {in.table.index};
            i.type = in.table_kind;
            if (in.table_kind != table_type::embedded) {
                i.pk_field = {in.pk_field.index};
                i.pk_type = in.pk_type;
                i.pk_nullable = in.pk_nullable;
            }
            return i;
        }
        case instruction_type::erase_table: return erase_table{{in.table.index}};
        case instruction_type::create_object: return create_object{{in.table.index}, to_model(in.object)};
        case instruction_type::erase_object: return erase_object{{in.table.index}, to_model(in.object)};
        case instruction_type::update: {
            update i;
            target(i);
            i.value = to_model(in.value);
            if (in.path.ends_in_index())
                i.prior_size = in.prior_size;
            else
                i.is_default = in.is_default;
            return i;
        }
        case instruction_type::add_integer: {
            add_integer i;
            target(i);
            i.value = in.add_value;
            return i;
        }
        case instruction_type::add_column: {
            add_column i;
            i.table = {in.table.index};
            i.field = {in.field.index};
            i.type = in.column_type;
            i.nullable = in.nullable;
            i.collection = in.collection;
            if (in.column_type == payload_type::link)
                i.link_target_table = {in.link_target_table.index};
            i.key_type = in.key_type;
            return i;
        }
        case instruction_type::erase_column: return erase_column{{in.table.index}, {in.field.index}};
        case instruction_type::array_insert: {
            array_insert i;
            target(i);
            i.value = to_model(in.value);
            i.prior_size = in.prior_size;
            return i;
        }
        case instruction_type::array_move: {
            array_move i;
            target(i);
            i.ndx_2 = in.ndx_2;
            i.prior_size = in.prior_size;
            return i;
        }
        case instruction_type::array_erase: {
            array_erase i;
            target(i);
            i.prior_size = in.prior_size;
            return i;
        }
        case instruction_type::clear: {
            clear i;
            target(i);
            i.collection = in.collection;
            return i;
        }
        case instruction_type::set_insert: {
            set_insert i;
            target(i);
            i.value = to_model(in.value);
            return i;
        }
        case instruction_type::set_erase: {
            set_erase i;
            target(i);
            i.value = to_model(in.value);
            return i;
        }
    }
    return erase_table{};
}

namespace detail {
struct model_builder {
    changeset* out;
    void intern_string(std::uint32_t, std::string_view s)
    {
        out->strings.emplace_back(s);
        out->placement.push_back(out->instructions.size());
    }
    void instruction(const instruction_view& in) { out->instructions.push_back(to_model(in)); }
};
} // namespace detail

/// Decodes `in` into `out` (replacing its content). On error `out` holds what was decoded before it.
inline bool decode_changeset(std::string_view in, changeset& out, std::error_code& ec, error_info& where,
                             const limits& lim = {})
{
    out.strings.clear();
    out.placement.clear();
    out.instructions.clear();
    detail::model_builder b{&out};
    decoder d(lim);
    return d.decode(in, b, ec, where);
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
