#ifndef REALMWIRE_REFERENCE_OBJECT_STORE_HPP
#define REALMWIRE_REFERENCE_OBJECT_STORE_HPP

// The reference client's local store: an in-memory object model (tables, objects by primary key,
// fields, lists) that applies downloaded changesets and records local writes as changesets, with the
// client-side history the sync protocol needs (client versions, the server version each local change
// was based on, the download cursor).
//
// Table names are the names on the wire: a Realm file's `class_Item` is `Item` in a changeset (the
// `class_` prefix is a storage detail of realm-core), and this store keeps the wire name. The first
// schema is realm-core's test client's: table Item, Int primary key `_id`, nullable String `name`;
// put_item() writes exactly the instructions its writes produce (see the a-write5 session vector):
// AddTable + AddColumn the first time, then CreateObject + Update per object, in the client layout.
//
// Merge rule: none (see history.hpp) — instructions apply in the order the server serialised them;
// an Update to a missing object or field creates nothing and is counted in `skipped()`.

// decoder.hpp must come before instruction.hpp (it names changeset::uuid, which the struct
// changeset::changeset would otherwise shadow).
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/print.hpp"
#include "realmwire/endpoint/client_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace realmwire::reference {

/// A primary key in the store: null, Int or String (other key types are kept as their printed form).
using object_key = std::variant<std::monostate, std::int64_t, std::string>;

/// A field value: a scalar payload or a list of them.
struct field_value {
    changeset::payload scalar;
    bool is_list = false;
    std::vector<changeset::payload> list;
    friend bool operator==(const field_value& a, const field_value& b)
    {
        return a.is_list == b.is_list && (a.is_list ? a.list == b.list : a.scalar == b.scalar);
    }
};

struct object {
    std::map<std::string, field_value> fields;
};

struct column {
    changeset::payload_type type = changeset::payload_type::null;
    bool nullable = false;
    changeset::collection_type collection = changeset::collection_type::single;
};

struct table {
    std::string pk_field;
    changeset::payload_type pk_type = changeset::payload_type::integer;
    bool pk_nullable = false;
    std::map<std::string, column> columns;
    std::map<object_key, object> objects;
};

/// Milliseconds since 2015-01-01T00:00:00Z (realm-core's sync timestamp epoch).
inline std::uint64_t sync_timestamp_now()
{
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    constexpr std::int64_t epoch_2015 = 1420070400000LL;
    return ms > epoch_2015 ? static_cast<std::uint64_t>(ms - epoch_2015) : 0;
}

class object_store : public endpoint::client_store {
public:
    // ---- the object model ----
    const std::map<std::string, table>& tables() const noexcept { return tables_; }
    const table* find_table(const std::string& name) const
    {
        auto it = tables_.find(name);
        return it == tables_.end() ? nullptr : &it->second;
    }
    /// Instructions that could not apply (missing table/object/field, index out of range).
    std::size_t skipped() const noexcept { return skipped_; }

    // ---- endpoint::client_store ----
    std::optional<endpoint::salted_file_ident> client_file_ident() override { return ident_; }
    endpoint::status set_client_file_ident(const endpoint::salted_file_ident& ident) override
    {
        ident_ = ident;
        return endpoint::status::success();
    }
    endpoint::sync_progress progress() override { return progress_; }
    std::uint64_t current_client_version() override { return version_; }
    void collect_uploads(const endpoint::upload_cursor& after, std::size_t max_bytes, endpoint::upload_batch& out) override
    {
        out = {};
        std::size_t bytes = 0;
        std::uint64_t scanned = std::max(after.client_version, std::uint64_t{1});
        std::uint64_t scanned_sv = after.last_integrated_server_version;
        bool capped = false;
        for (const auto& c : history_) {
            if (c.client_version <= after.client_version)
                continue;
            if (!out.changesets.empty() && bytes + c.changeset.size() > max_bytes) {
                capped = true;
                break;
            }
            bytes += c.changeset.size();
            out.changesets.push_back(c);
            scanned = c.client_version;
            scanned_sv = c.last_integrated_server_version;
        }
        if (!capped && version_ > scanned) {
            scanned = version_;
            scanned_sv = progress_.download.server_version;
        }
        out.progress = {scanned, scanned_sv};
        out.locked_server_version = progress_.download.server_version;
    }
    endpoint::status integrate(const endpoint::incoming_download& d) override
    {
        // Decode everything first so a bad changeset applies nothing (one transaction).
        std::vector<changeset::changeset> decoded;
        for (const auto& e : d.changesets) {
            std::error_code ec;
            decoded.push_back(changeset::decode_changeset(e.changeset, ec));
            if (ec)
                return endpoint::status::error(protocol::protocol_error::bad_changeset, ec.message());
        }
        for (const auto& cs : decoded)
            apply(cs);
        if (!decoded.empty())
            ++version_;
        progress_ = d.progress;
        downloaded_changesets_ += decoded.size();
        return endpoint::status::success();
    }

    /// Local version (realm-core's: 1 is the empty file; each local write or integrated DOWNLOAD with
    /// changesets adds one).
    std::uint64_t version() const noexcept { return version_; }
    const endpoint::sync_progress& sync_state() const noexcept { return progress_; }
    /// Local changesets recorded so far (all of them: the server skips re-sent ones).
    const std::vector<endpoint::local_changeset>& local_history() const noexcept { return history_; }
    /// Upload complete: the server acknowledged every local version.
    bool upload_complete() const noexcept
    {
        return history_.empty() || progress_.upload.client_version >= history_.back().client_version;
    }
    std::size_t downloaded_changesets() const noexcept { return downloaded_changesets_; }

    // ---- applying ----
    /// Decodes and applies one changeset; on a decode error nothing is applied.
    void apply(std::string_view bytes, std::error_code& ec)
    {
        changeset::changeset cs = changeset::decode_changeset(bytes, ec);
        if (ec)
            return;
        apply(cs);
    }
    void apply(const changeset::changeset& cs)
    {
        for (const auto& in : cs.instructions)
            std::visit([&](const auto& i) { apply_one(cs, i); }, in);
    }

    // ---- local writes ----
    /// Applies `cs` to the model and records it as a local changeset (encoded in realm-core's client
    /// layout); returns its client version. `cs` must only reference its own strings.
    std::uint64_t commit(const changeset::changeset& cs)
    {
        apply(cs);
        ++version_;
        endpoint::local_changeset l;
        l.client_version = version_;
        l.last_integrated_server_version = progress_.download.server_version;
        l.origin_timestamp = sync_timestamp_now();
        l.changeset = changeset::encode(cs, changeset::layout::client);
        history_.push_back(std::move(l));
        return version_;
    }

    /// realm-core test client's schema and write: objects Item{_id, name} in one changeset, with the
    /// schema instructions when the table is not there yet. Returns the client version.
    std::uint64_t put_items(const std::vector<std::pair<std::int64_t, std::optional<std::string>>>& items)
    {
        changeset::changeset cs;
        changeset::string_id item = cs.intern("Item");
        if (!find_table("Item")) {
            changeset::string_id id = cs.intern("_id");
            changeset::add_table at;
            at.table = item;
            at.pk_field = id;
            at.pk_type = changeset::payload_type::integer;
            at.pk_nullable = false;
            cs.instructions.emplace_back(at);
            changeset::string_id name = cs.intern("name");
            cs.intern(""); // realm-core's client interns "" for AddColumn's link target
            changeset::add_column ac;
            ac.table = item;
            ac.field = name;
            ac.type = changeset::payload_type::string;
            ac.nullable = true;
            cs.instructions.emplace_back(ac);
        }
        for (const auto& [pk, name] : items) {
            changeset::create_object co;
            co.table = item;
            co.object = pk;
            cs.instructions.emplace_back(co);
            changeset::update u;
            u.table = item;
            u.object = pk;
            u.field = cs.intern("name");
            u.value = name ? changeset::payload::make_string(*name) : changeset::payload::null();
            cs.instructions.emplace_back(u);
        }
        return commit(cs);
    }

    /// Item{_id=1, name="obj-1"} lines, sorted by primary key (the test client's print format).
    std::vector<std::string> describe(const std::string& table_name = "Item") const
    {
        std::vector<std::string> out;
        const table* t = find_table(table_name);
        if (!t)
            return out;
        for (const auto& [key, obj] : t->objects) {
            std::string s = table_name + "{" + t->pk_field + "=" + key_string(key);
            for (const auto& [f, v] : obj.fields) {
                s += ", " + f + "=";
                if (v.is_list) {
                    s += "[";
                    for (std::size_t i = 0; i < v.list.size(); ++i)
                        s += (i ? ", " : "") + value_string(v.list[i]);
                    s += "]";
                }
                else {
                    s += value_string(v.scalar);
                }
            }
            out.push_back(s + "}");
        }
        return out;
    }

    static std::string key_string(const object_key& k)
    {
        if (std::holds_alternative<std::int64_t>(k))
            return std::to_string(std::get<std::int64_t>(k));
        if (std::holds_alternative<std::string>(k))
            return "\"" + std::get<std::string>(k) + "\"";
        return "null";
    }
    static std::string value_string(const changeset::payload& p)
    {
        switch (p.type) {
            case changeset::payload_type::null: return "null";
            case changeset::payload_type::integer: return std::to_string(p.integer);
            case changeset::payload_type::boolean: return p.boolean ? "true" : "false";
            case changeset::payload_type::string: return "\"" + p.data + "\"";
            default: return changeset::name_of(p.type);
        }
    }

private:
    object_key key_of(const changeset::changeset& cs, const changeset::primary_key& pk) const
    {
        if (std::holds_alternative<std::int64_t>(pk))
            return std::get<std::int64_t>(pk);
        if (std::holds_alternative<changeset::string_id>(pk))
            return cs.str(std::get<changeset::string_id>(pk));
        if (std::holds_alternative<std::monostate>(pk))
            return std::monostate{};
        // ObjectId / UUID / GlobalKey: a stable printed form.
        changeset::changeset tmp = cs;
        changeset::create_object co;
        co.object = pk;
        return std::string(changeset::to_string(tmp, changeset::instruction(co)));
    }

    table* tbl(const changeset::changeset& cs, changeset::string_id id)
    {
        auto it = tables_.find(cs.str(id));
        return it == tables_.end() ? nullptr : &it->second;
    }
    object* obj(const changeset::changeset& cs, changeset::string_id t, const changeset::primary_key& pk)
    {
        table* tb = tbl(cs, t);
        if (!tb)
            return nullptr;
        auto it = tb->objects.find(key_of(cs, pk));
        return it == tb->objects.end() ? nullptr : &it->second;
    }
    /// The list a path instruction addresses (its path minus the final index), or nullptr.
    field_value* target(const changeset::changeset& cs, const changeset::path_target& p, bool want_list)
    {
        object* o = obj(cs, p.table, p.object);
        if (!o)
            return nullptr;
        field_value& f = o->fields[cs.str(p.field)];
        if (want_list && !f.is_list) {
            f.is_list = true;
            f.list.clear();
        }
        return &f;
    }
    static std::optional<std::size_t> last_index(const changeset::path_target& p)
    {
        if (!changeset::ends_in_index(p.path) || p.path.size() != 1)
            return std::nullopt;
        return std::get<std::uint32_t>(p.path.back());
    }

    void apply_one(const changeset::changeset& cs, const changeset::add_table& i)
    {
        table& t = tables_[cs.str(i.table)];
        if (i.type != changeset::table_type::embedded) {
            t.pk_field = cs.str(i.pk_field);
            t.pk_type = i.pk_type;
            t.pk_nullable = i.pk_nullable;
        }
    }
    void apply_one(const changeset::changeset& cs, const changeset::erase_table& i) { tables_.erase(cs.str(i.table)); }
    void apply_one(const changeset::changeset& cs, const changeset::add_column& i)
    {
        if (table* t = tbl(cs, i.table))
            t->columns[cs.str(i.field)] = column{i.type, i.nullable, i.collection};
        else
            ++skipped_;
    }
    void apply_one(const changeset::changeset& cs, const changeset::erase_column& i)
    {
        table* t = tbl(cs, i.table);
        if (!t) {
            ++skipped_;
            return;
        }
        t->columns.erase(cs.str(i.field));
        for (auto& kv : t->objects)
            kv.second.fields.erase(cs.str(i.field));
    }
    void apply_one(const changeset::changeset& cs, const changeset::create_object& i)
    {
        if (table* t = tbl(cs, i.table))
            t->objects.emplace(key_of(cs, i.object), object{}); // creating an existing object is a no-op
        else
            ++skipped_;
    }
    void apply_one(const changeset::changeset& cs, const changeset::erase_object& i)
    {
        table* t = tbl(cs, i.table);
        if (!t || t->objects.erase(key_of(cs, i.object)) == 0)
            ++skipped_;
    }
    void apply_one(const changeset::changeset& cs, const changeset::update& i)
    {
        if (i.path.empty()) {
            object* o = obj(cs, i.table, i.object);
            if (!o) {
                ++skipped_;
                return;
            }
            field_value& f = o->fields[cs.str(i.field)];
            f.is_list = false;
            f.scalar = i.value;
            return;
        }
        auto idx = last_index(i);
        field_value* f = idx ? target(cs, i, true) : nullptr;
        if (!f || *idx >= f->list.size()) {
            ++skipped_;
            return;
        }
        f->list[*idx] = i.value;
    }
    void apply_one(const changeset::changeset& cs, const changeset::add_integer& i)
    {
        object* o = i.path.empty() ? obj(cs, i.table, i.object) : nullptr;
        if (!o) {
            ++skipped_;
            return;
        }
        field_value& f = o->fields[cs.str(i.field)];
        if (f.scalar.type != changeset::payload_type::integer) {
            ++skipped_;
            return;
        }
        f.scalar.integer = static_cast<std::int64_t>(static_cast<std::uint64_t>(f.scalar.integer) +
                                                     static_cast<std::uint64_t>(i.value));
    }
    void apply_one(const changeset::changeset& cs, const changeset::array_insert& i)
    {
        auto idx = last_index(i);
        field_value* f = idx ? target(cs, i, true) : nullptr;
        if (!f || *idx > f->list.size()) {
            ++skipped_;
            return;
        }
        f->list.insert(f->list.begin() + static_cast<std::ptrdiff_t>(*idx), i.value);
    }
    void apply_one(const changeset::changeset& cs, const changeset::array_move& i)
    {
        auto idx = last_index(i);
        field_value* f = idx ? target(cs, i, true) : nullptr;
        if (!f || *idx >= f->list.size() || i.ndx_2 >= f->list.size()) {
            ++skipped_;
            return;
        }
        changeset::payload v = f->list[*idx];
        f->list.erase(f->list.begin() + static_cast<std::ptrdiff_t>(*idx));
        f->list.insert(f->list.begin() + static_cast<std::ptrdiff_t>(i.ndx_2), std::move(v));
    }
    void apply_one(const changeset::changeset& cs, const changeset::array_erase& i)
    {
        auto idx = last_index(i);
        field_value* f = idx ? target(cs, i, true) : nullptr;
        if (!f || *idx >= f->list.size()) {
            ++skipped_;
            return;
        }
        f->list.erase(f->list.begin() + static_cast<std::ptrdiff_t>(*idx));
    }
    void apply_one(const changeset::changeset& cs, const changeset::clear& i)
    {
        field_value* f = i.path.empty() ? target(cs, i, true) : nullptr;
        if (!f) {
            ++skipped_;
            return;
        }
        f->list.clear();
    }
    void apply_one(const changeset::changeset& cs, const changeset::set_insert& i)
    {
        field_value* f = i.path.empty() ? target(cs, i, true) : nullptr;
        if (!f) {
            ++skipped_;
            return;
        }
        for (const auto& v : f->list)
            if (v == i.value)
                return;
        f->list.push_back(i.value);
    }
    void apply_one(const changeset::changeset& cs, const changeset::set_erase& i)
    {
        field_value* f = i.path.empty() ? target(cs, i, true) : nullptr;
        if (!f) {
            ++skipped_;
            return;
        }
        for (auto it = f->list.begin(); it != f->list.end(); ++it) {
            if (*it == i.value) {
                f->list.erase(it);
                return;
            }
        }
    }

    std::map<std::string, table> tables_;
    std::vector<endpoint::local_changeset> history_;
    std::optional<endpoint::salted_file_ident> ident_;
    endpoint::sync_progress progress_{};
    std::size_t downloaded_changesets_ = 0;
    std::uint64_t version_ = 1;
    std::size_t skipped_ = 0;
};

} // namespace realmwire::reference

#endif
