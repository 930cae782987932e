#ifndef REALMWIRE_CHANGESET_DECODER_HPP
#define REALMWIRE_CHANGESET_DECODER_HPP

// The zero-copy changeset decoder: one callback per record, strings as views into the input.
//
//   struct my_visitor {
//       void intern_string(std::uint32_t index, std::string_view s);       // each InternString record
//       void instruction(const realmwire::changeset::instruction_view& i); // each instruction
//   };
//   realmwire::changeset::decoder d;            // reusable; holds the intern table between calls
//   std::error_code ec; realmwire::error_info where;
//   d.decode(bytes, visitor, ec, where);         // or d.decode(bytes, visitor): throws system_error
//
// Views (strings, the instruction_view and its path) are valid during the callback; the string views
// themselves point into the input and stay valid as long as it does. After its first calls a decoder
// allocates nothing (the intern table keeps its capacity).
//
// The decoder accepts exactly what realm-core v14.14.0's encoder can produce (both layouts) and rejects
// everything realm-core rejects plus the gaps realm-core leaves open: see docs/changesets.md for the list.

#include "realmwire/changeset/integer_codec.hpp"
#include "realmwire/changeset/limits.hpp"
#include "realmwire/changeset/types.hpp"
#include "realmwire/changeset/utf8.hpp"
#include "realmwire/config.hpp"
#include "realmwire/detail/byte_order.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/changeset.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace realmwire::changeset {

/// A reference to an interned string: its index and its bytes.
struct interned {
    std::uint32_t index = 0;
    std::string_view str{};
};

struct primary_key_view {
    payload_type type = payload_type::null; ///< null, integer, string, object_id, uuid or global_key
    std::int64_t integer = 0;
    interned string{};
    object_id oid{};
    ::realmwire::changeset::uuid uuid_value{};
    global_key key{};
};

struct payload_view {
    payload_type type = payload_type::null;
    std::int64_t integer = 0;
    bool boolean = false;
    std::string_view data{}; ///< String or Binary bytes, inside the input
    timestamp time{};
    float float_value = 0;
    double double_value = 0;
    decimal128 decimal{};
    interned link_table{};
    primary_key_view link_target{};
    object_id oid{};
    ::realmwire::changeset::uuid uuid_value{};
};

struct path_element_view {
    bool is_index = false;
    std::uint32_t index = 0; ///< when is_index
    interned key{};          ///< otherwise
};

/// The path of a path instruction, decoded lazily from the (already validated) input bytes.
class path_view {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = path_element_view;
        using difference_type = std::ptrdiff_t;
        using pointer = const path_element_view*;
        using reference = const path_element_view&;

        iterator() = default;
        iterator(const std::uint8_t* p, const std::uint8_t* end, std::uint32_t left, const std::string_view* strings) noexcept
            : p_(p), end_(end), left_(left), strings_(strings)
        {
            load();
        }
        reference operator*() const noexcept { return cur_; }
        pointer operator->() const noexcept { return &cur_; }
        iterator& operator++() noexcept
        {
            --left_;
            load();
            return *this;
        }
        iterator operator++(int) noexcept
        {
            iterator t = *this;
            ++*this;
            return t;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.left_ == b.left_; }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.left_ != b.left_; }

    private:
        void load() noexcept
        {
            if (left_ == 0)
                return;
            // The bytes were validated when the instruction was decoded: no checks needed here.
            std::int64_t v = 0;
            decode_varint(p_, end_, v);
            if (v >= 0) {
                cur_.is_index = true;
                cur_.index = static_cast<std::uint32_t>(v);
                cur_.key = {};
            }
            else {
                std::uint32_t idx = 0;
                decode_varint(p_, end_, idx);
                cur_.is_index = false;
                cur_.index = 0;
                cur_.key = {idx, strings_[idx]};
            }
        }
        const std::uint8_t* p_ = nullptr;
        const std::uint8_t* end_ = nullptr;
        std::uint32_t left_ = 0;
        const std::string_view* strings_ = nullptr;
        path_element_view cur_{};
    };

    path_view() = default;
    path_view(const std::uint8_t* elements, const std::uint8_t* elements_end, std::uint32_t count,
              const std::string_view* strings, bool ends_in_index) noexcept
        : elements_(elements), elements_end_(elements_end), count_(count), strings_(strings), ends_in_index_(ends_in_index)
    {
    }
    std::uint32_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    /// realm-core's Path::is_array_index: non-empty and ending in a list index.
    bool ends_in_index() const noexcept { return ends_in_index_; }
    iterator begin() const noexcept { return {elements_, elements_end_, count_, strings_}; }
    iterator end() const noexcept { return {}; }

private:
    const std::uint8_t* elements_ = nullptr;
    const std::uint8_t* elements_end_ = nullptr;
    std::uint32_t count_ = 0;
    const std::string_view* strings_ = nullptr;
    bool ends_in_index_ = false;
};

/// One decoded instruction. Which members are meaningful depends on `type`:
/// * AddTable: table, table_kind; unless Embedded: pk_field, pk_type, pk_nullable.
/// * EraseTable: table. CreateObject/EraseObject: table, object. EraseColumn: table, field.
/// * AddColumn: table, field, column_type, nullable, collection; link_target_table if Link; key_type if
///   Dictionary.
/// * Path instructions (Update, AddInteger, Array*, Clear, Set*): table, object, field, path, and
///   Update: value, then prior_size if path.ends_in_index() else is_default; AddInteger: add_value;
///   ArrayInsert: value, prior_size; ArrayMove: ndx_2, prior_size; ArrayErase: prior_size;
///   Clear: collection; SetInsert/SetErase: value.
/// The others keep what earlier instructions left in them, except `path`: empty for the instructions
/// without one.
struct instruction_view {
    instruction_type type = instruction_type::add_table;
    std::size_t offset = 0; ///< byte offset of the instruction's tag
    interned table{};
    primary_key_view object{};
    interned field{};
    path_view path{};
    payload_view value{};
    // AddTable
    table_type table_kind = table_type::top_level;
    interned pk_field{};
    payload_type pk_type = payload_type::null;
    bool pk_nullable = false;
    // AddColumn
    payload_type column_type = payload_type::null;
    bool nullable = false;
    collection_type collection = collection_type::single; ///< AddColumn and Clear
    interned link_target_table{};
    payload_type key_type = payload_type::null;
    // list and misc
    bool is_default = false;
    std::uint32_t prior_size = 0;
    std::uint32_t ndx_2 = 0;
    std::int64_t add_value = 0; ///< AddInteger
};

/// Whether V can be driven by the decoder.
template <class V, class = void>
struct is_changeset_visitor : std::false_type {};
template <class V>
struct is_changeset_visitor<V, std::void_t<decltype(std::declval<V&>().intern_string(std::uint32_t{}, std::string_view{})),
                                           decltype(std::declval<V&>().instruction(std::declval<const instruction_view&>()))>>
    : std::true_type {};
template <class V>
inline constexpr bool is_changeset_visitor_v = is_changeset_visitor<V>::value;

/// A visitor that ignores everything (validation only).
struct null_visitor {
    void intern_string(std::uint32_t, std::string_view) noexcept {}
    void instruction(const instruction_view&) noexcept {}
};

class decoder {
public:
    decoder() = default;
    explicit decoder(const ::realmwire::changeset::limits& lim) : limits_(lim) {}
    // Copies keep the source's hash seed: their slot tables were filled with it.

    const ::realmwire::changeset::limits& limits() const noexcept { return limits_; }
    void set_limits(const ::realmwire::changeset::limits& lim) noexcept { limits_ = lim; }

    /// Decodes `in`, calling the visitor per record. Returns true on success; otherwise sets `ec` and
    /// `where` (byte offset and field) and returns false. Callbacks already made stay made.
    template <class V>
    bool decode(std::string_view in, V& visitor, std::error_code& ec, error_info& where)
    {
        static_assert(is_changeset_visitor_v<V>,
                      "a changeset visitor needs intern_string(std::uint32_t, std::string_view) and "
                      "instruction(const realmwire::changeset::instruction_view&)");
        begin_ = reinterpret_cast<const std::uint8_t*>(in.data());
        end_ = begin_ + in.size();
        // Below fast_end_ at least two bytes remain: the inline varint forms need no length check.
        fast_end_ = in.size() >= 2 ? end_ - 1 : begin_;
        // 0 means unchecked: as the largest size, one compare per reference covers both cases.
        class_cap_ = limits_.max_class_name_size ? limits_.max_class_name_size : static_cast<std::size_t>(-1);
        field_cap_ = limits_.max_field_name_size ? limits_.max_field_name_size : static_cast<std::size_t>(-1);
        err_ = changeset_error{};
        err_at_ = nullptr;
        err_field_ = {};
        strings_.clear();
        ++generation_;
        if (generation_ == 0) { // wrapped: really clear the slots once every 2^32 calls
            std::fill(slots_.begin(), slots_.end(), std::uint64_t(0));
            generation_ = 1;
        }
        bool ok = in.size() <= limits_.max_changeset_size ? run(visitor)
                                                          : fail(changeset_error::changeset_too_large,
                                                                 begin_ + limits_.max_changeset_size, "changeset");
        if (ok) {
            ec.clear();
            where = {};
            return true;
        }
        ec = make_error_code(err_);
        where.offset = static_cast<std::size_t>(err_at_ - begin_);
        where.field = err_field_;
        return false;
    }
    template <class V>
    bool decode(std::string_view in, V& visitor, std::error_code& ec)
    {
        error_info where;
        return decode(in, visitor, ec, where);
    }
    /// Throwing form: realmwire::system_error carrying the offset.
    template <class V>
    void decode(std::string_view in, V& visitor)
    {
        std::error_code ec;
        error_info where;
        if (!decode(in, visitor, ec, where))
            throw_error(ec, "changeset decode", where);
    }

    /// Frees the intern table when a large changeset grew it past what common ones need (the strings
    /// of the last decode are forgotten). For long-lived decoders that should not keep a peak forever.
    void release_if_large(std::size_t max_kept_strings = 4096) noexcept
    {
        if (strings_.capacity() > max_kept_strings) {
            std::vector<std::string_view>().swap(strings_);
            std::vector<std::uint64_t>().swap(slots_);
        }
    }

    /// The strings interned by the last decode, in index order (views into its input).
    const std::vector<std::string_view>& strings() const noexcept { return strings_; }

private:
    // ---- error reporting ----
    // The recording is out of line (cold), the `return false` stays visible to the hot callers.
    REALMWIRE_COLD void record_error(changeset_error e, const std::uint8_t* at, std::string_view field) noexcept
    {
        err_ = e;
        err_at_ = at;
        err_field_ = field;
    }
    REALMWIRE_ALWAYS_INLINE bool fail(changeset_error e, const std::uint8_t* at, std::string_view field) noexcept
    {
        record_error(e, at, field);
        return false;
    }

    // ---- primitives ----
    // The one-byte (0..63) and two-byte forms inline, as decode_varint has them, but bounded by one
    // pointer compare against fast_end_; everything else (longer forms, signs, the last byte of the
    // input, every error) goes through the strict out-of-line reader.
    template <class T>
    REALMWIRE_ALWAYS_INLINE bool read_int(const std::uint8_t*& p, T& v, std::string_view field) noexcept
    {
        if (REALMWIRE_LIKELY(p < fast_end_)) {
            const std::uint8_t b0 = p[0];
            if (REALMWIRE_LIKELY(b0 < 0x40)) {
                v = static_cast<T>(b0);
                ++p;
                return true;
            }
            if constexpr (std::is_signed_v<T>) {
                // Signed fields take the sign flag inline too (-1..-64 in one byte, -8192..8191 in two):
                // a negative magnitude m is ~m, an xor with the flag spread over the word.
                if (b0 < 0x80) {
                    v = static_cast<T>(std::int64_t(b0 & 0x3F) ^ -std::int64_t(b0 >> 6));
                    ++p;
                    return true;
                }
                if constexpr (std::numeric_limits<T>::digits >= 13) {
                    const std::uint8_t b1 = p[1];
                    if (b1 < 0x80 && ((b1 & 0x3F) != 0 || (b0 & 0x40) != 0)) {
                        const std::int64_t m = std::int64_t(b0 & 0x7F) | (std::int64_t(b1 & 0x3F) << 7);
                        v = static_cast<T>(m ^ -std::int64_t(b1 >> 6));
                        p += 2;
                        return true;
                    }
                }
            }
            else if constexpr (std::numeric_limits<T>::digits >= 13) {
                const std::uint8_t b1 = p[1];
                if (b0 >= 0x80 && b1 < 0x40 && (b1 != 0 || (b0 & 0x40) != 0)) {
                    v = static_cast<T>((b0 & 0x7F) | (unsigned(b1) << 7));
                    p += 2;
                    return true;
                }
            }
        }
        // Through a copy: handing the out-of-line reader the cursor's own address would keep the
        // cursor in memory for the whole record loop.
        const std::uint8_t* q = p;
        if (auto e = detail::decode_varint_slow(q, end_, v); REALMWIRE_UNLIKELY(e != changeset_error{}))
            return fail(e, p, field);
        p = q;
        return true;
    }
    REALMWIRE_ALWAYS_INLINE bool read_bool(const std::uint8_t*& p, bool& b, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        std::uint64_t v;
        if (!read_int(p, v, field))
            return false;
        if (REALMWIRE_UNLIKELY(v > 1))
            return fail(changeset_error::invalid_bool, at, field);
        b = v != 0;
        return true;
    }
    REALMWIRE_ALWAYS_INLINE bool read_raw(const std::uint8_t*& p, void* out, std::size_t n, std::string_view field) noexcept
    {
        if (REALMWIRE_UNLIKELY(static_cast<std::size_t>(end_ - p) < n))
            return fail(changeset_error::truncated, p, field);
        std::memcpy(out, p, n);
        p += n;
        return true;
    }
    /// len:u64 raw[len], checked against `max` and the remaining input before anything is touched.
    REALMWIRE_ALWAYS_INLINE bool read_bytes(const std::uint8_t*& p, std::string_view& out, std::size_t max, changeset_error too_long,
                                            bool utf8, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        std::uint64_t len;
        if (!read_int(p, len, field))
            return false;
        if (REALMWIRE_UNLIKELY(len > max))
            return fail(too_long, at, field);
        if (REALMWIRE_UNLIKELY(len > static_cast<std::uint64_t>(end_ - p)))
            return fail(changeset_error::length_exceeds_input, at, field);
        auto n = static_cast<std::size_t>(len);
        if (utf8 && !short_ascii(p, n)) {
            std::size_t bad = detail::utf8_invalid_at(p, n);
            if (REALMWIRE_UNLIKELY(bad != n))
                return fail(changeset_error::invalid_utf8, p + bad, field);
        }
        out = std::string_view(reinterpret_cast<const char*>(p), n);
        p += n;
        return true;
    }

    /// 16 x FF then 16 x 00: the 16 bytes at `keep_first + 16 - n` (n <= 16) keep the first n bytes of a
    /// 16-byte load, in any byte order.
    static constexpr std::uint8_t keep_first[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

    /// True when `n` <= 16 bytes at `p` are all ASCII, decided with two loads and no branch on `n`
    /// (names and most short values: the validator's length cases mispredicted with every change of
    /// length). The loads may read past the string but never past the input: they need 16 bytes there.
    /// False means "not known": the full check decides.
    REALMWIRE_ALWAYS_INLINE bool short_ascii(const std::uint8_t* p, std::size_t n) const noexcept
    {
        if (n > 16 || end_ - p < 16)
            return false;
        const std::uint64_t lo = detail::load_u64(p) & detail::load_u64(keep_first + 16 - n);
        const std::uint64_t hi = detail::load_u64(p + 8) & detail::load_u64(keep_first + 24 - n);
        return ((lo | hi) & 0x8080808080808080ull) == 0;
    }

    enum class name_kind { none, class_name, field_name };

    REALMWIRE_ALWAYS_INLINE bool read_istr(const std::uint8_t*& p, interned& out, name_kind kind, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        std::uint32_t idx;
        if (!read_int(p, idx, field))
            return false;
        if (REALMWIRE_UNLIKELY(idx >= strings_.size()))
            return fail(changeset_error::invalid_string_ref, at, field);
        out.index = idx;
        out.str = strings_[idx];
        if (kind == name_kind::class_name) {
            if (REALMWIRE_UNLIKELY(out.str.size() > class_cap_))
                return fail(changeset_error::name_too_long, at, field);
        }
        else if (kind == name_kind::field_name) {
            if (REALMWIRE_UNLIKELY(out.str.size() > field_cap_))
                return fail(changeset_error::name_too_long, at, field);
        }
        return true;
    }

    /// Payload::Type / pk type: an i64 varint in -6..11, checked before any narrowing.
    REALMWIRE_ALWAYS_INLINE bool read_type(const std::uint8_t*& p, payload_type& t, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        std::int64_t v;
        if (!read_int(p, v, field))
            return false;
        if (REALMWIRE_UNLIKELY(v < -6 || v > 11))
            return fail(changeset_error::unknown_payload_type, at, field);
        t = static_cast<payload_type>(v);
        return true;
    }

    REALMWIRE_ALWAYS_INLINE bool read_pk(const std::uint8_t*& p, primary_key_view& pk, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        if (!read_type(p, pk.type, field))
            return false;
        switch (pk.type) {
            case payload_type::null: return true;
            case payload_type::integer: return read_int(p, pk.integer, field);
            case payload_type::string: return read_istr(p, pk.string, name_kind::none, field);
            case payload_type::object_id: return read_raw(p, pk.oid.bytes.data(), 12, field);
            case payload_type::uuid: return read_raw(p, pk.uuid_value.bytes.data(), 16, field);
            case payload_type::global_key: return read_int(p, pk.key.hi, field) && read_int(p, pk.key.lo, field);
            default: return fail(changeset_error::unknown_primary_key_type, at, field);
        }
    }

    enum class payload_context { any_value, set_element };

    REALMWIRE_ALWAYS_INLINE bool read_payload_at(const std::uint8_t*& p, payload_view& v, payload_context ctx, bool dictionary_key_path)
    {
        const std::uint8_t* at = p;
        if (!read_type(p, v.type, "value.type"))
            return false;
        switch (v.type) {
            case payload_type::null: return true;
            case payload_type::integer: return read_int(p, v.integer, "value.int");
            case payload_type::boolean: return read_bool(p, v.boolean, "value.bool");
            case payload_type::string:
                return read_bytes(p, v.data, limits_.max_string_size, changeset_error::string_too_long,
                                  limits_.validate_utf8, "value.string");
            case payload_type::binary:
                return read_bytes(p, v.data, limits_.max_binary_size, changeset_error::binary_too_long, false,
                                  "value.binary");
            case payload_type::timestamp: {
                const std::uint8_t* ts_at = p;
                std::int64_t s, ns;
                if (!read_int(p, s, "value.timestamp") || !read_int(p, ns, "value.timestamp"))
                    return false;
                if (ns <= -1000000000 || ns >= 1000000000 || (s > 0 && ns < 0) || (s < 0 && ns > 0))
                    return fail(changeset_error::timestamp_out_of_range, ts_at, "value.timestamp");
                v.time = {s, static_cast<std::int32_t>(ns)};
                return true;
            }
            case payload_type::float_: {
                std::uint32_t bits;
                if (!read_raw(p, &bits, 4, "value.float"))
                    return false;
                bits = ::realmwire::detail::little_endian(bits);
                std::memcpy(&v.float_value, &bits, 4);
                return true;
            }
            case payload_type::double_: {
                std::uint64_t bits;
                if (!read_raw(p, &bits, 8, "value.double"))
                    return false;
                bits = ::realmwire::detail::little_endian(bits);
                std::memcpy(&v.double_value, &bits, 8);
                return true;
            }
            case payload_type::decimal: {
                const std::uint8_t* q = read_decimal(p, v.decimal);
                if (!q)
                    return false;
                p = q;
                return true;
            }
            case payload_type::link:
                return read_istr(p, v.link_table, name_kind::class_name, "value.link.table") &&
                       read_pk(p, v.link_target, "value.link.target");
            case payload_type::object_id: return read_raw(p, v.oid.bytes.data(), 12, "value.object_id");
            case payload_type::uuid: return read_raw(p, v.uuid_value.bytes.data(), 16, "value.uuid");
            case payload_type::global_key: return fail(changeset_error::payload_type_not_allowed, at, "value.type");
            case payload_type::erased:
                // Erased only means "remove this dictionary key": an Update whose path ends in a key.
                if (ctx != payload_context::any_value || !dictionary_key_path)
                    return fail(changeset_error::payload_type_not_allowed, at, "value.type");
                return true;
            case payload_type::object_value:
            case payload_type::dictionary:
            case payload_type::list:
            case payload_type::set:
                if (ctx == payload_context::set_element)
                    return fail(changeset_error::payload_type_not_allowed, at, "value.type");
                return true;
        }
        return fail(changeset_error::unknown_payload_type, at, "value.type");
    }

    // Rare payloads and instructions are read out of line. They take the cursor by value and return
    // where they stopped (nullptr on error), so that the caller's cursor never has its address taken.
    const std::uint8_t* read_decimal(const std::uint8_t* p, decimal128& d) noexcept
    {
        return read_decimal_at(p, d) ? p : nullptr;
    }
    REALMWIRE_ALWAYS_INLINE bool read_decimal_at(const std::uint8_t*& p, decimal128& d) noexcept
    {
        const std::uint8_t* at = p;
        uint128 c;
        if (auto e = decode_bid128_varint(p, end_, c); e != changeset_error{})
            return fail(e, at, "value.decimal.coefficient");
        std::int64_t exp;
        at = p;
        if (!read_int(p, exp, "value.decimal.exponent"))
            return false;
        if (exp < -decimal128::exponent_bias || exp > 0x3FFF - decimal128::exponent_bias)
            return fail(changeset_error::decimal_out_of_range, at, "value.decimal.exponent");
        at = p;
        std::uint64_t sign;
        if (!read_int(p, sign, "value.decimal.sign"))
            return false;
        if (sign > 1)
            return fail(changeset_error::decimal_out_of_range, at, "value.decimal.sign");
        d.coefficient_lo = c.lo;
        d.coefficient_hi = c.hi;
        d.exponent = static_cast<std::int32_t>(exp);
        d.negative = sign != 0;
        return true;
    }

    /// count:u32, then per element an i64: >= 0 a list index (<= UINT32_MAX), -1 then istr a key.
    REALMWIRE_ALWAYS_INLINE bool read_path(const std::uint8_t*& p, path_view& out) noexcept
    {
        const std::uint8_t* at = p;
        path_at_ = at;
        std::uint32_t count;
        if (!read_int(p, count, "path.count"))
            return false;
        if (REALMWIRE_UNLIKELY(count > limits_.max_path_depth))
            return fail(changeset_error::path_too_deep, at, "path.count");
        const std::uint8_t* elements = p;
        bool last_is_index = false;
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint8_t* el = p;
            std::int64_t v;
            if (!read_int(p, v, "path.element"))
                return false;
            if (v >= 0) {
                if (REALMWIRE_UNLIKELY(v > 0xFFFFFFFF))
                    return fail(changeset_error::invalid_path_element, el, "path.element");
                last_is_index = true;
            }
            else {
                if (REALMWIRE_UNLIKELY(v != -1))
                    return fail(changeset_error::invalid_path_element, el, "path.element");
                interned key;
                if (!read_istr(p, key, name_kind::none, "path.key"))
                    return false;
                last_is_index = false;
            }
        }
        out = path_view(elements, p, count, strings_.data(), last_is_index);
        return true;
    }

    REALMWIRE_ALWAYS_INLINE bool read_path_prefix(const std::uint8_t*& p, instruction_view& in) noexcept
    {
        return read_istr(p, in.table, name_kind::class_name, "table") && read_pk(p, in.object, "object") &&
               read_istr(p, in.field, name_kind::field_name, "field") && read_path(p, in.path);
    }

    bool read_collection(const std::uint8_t*& p, collection_type& c, std::string_view field) noexcept
    {
        const std::uint8_t* at = p;
        std::uint64_t v;
        if (!read_int(p, v, field))
            return false;
        if (v > 3)
            return fail(changeset_error::unknown_collection_type, at, field);
        c = static_cast<collection_type>(v);
        return true;
    }

    // ---- interned strings ----
    // The table only has to find duplicates among the strings of one changeset, most of them short
    // names: an inline word-at-a-time multiply-xorshift hash costs a few cycles where the library's
    // out-of-line byte hash was a tenth of the decoder's time. The seed differs per decoder object, so
    // which strings collide is not fixed for every server; the probe length is bounded anyway by
    // max_interned_strings.
    REALMWIRE_ALWAYS_INLINE static std::uint64_t mix(std::uint64_t x) noexcept
    {
        x *= 0x9E3779B97F4A7C15ull;
        return x ^ (x >> 29);
    }
    // Strings of up to 16 bytes (nearly all names) hash as two zero-padded words, without a branch on
    // their length: loaded wide and masked when 16 bytes of input are there, else copied (same words).
    REALMWIRE_ALWAYS_INLINE std::uint64_t hash(std::string_view str) const noexcept
    {
        auto p = reinterpret_cast<const std::uint8_t*>(str.data());
        std::size_t n = str.size();
        std::uint64_t h = seed_ ^ n;
        if (n <= 16) {
            std::uint64_t lo, hi;
            if (REALMWIRE_LIKELY(end_ - p >= 16)) {
                lo = detail::load_u64(p) & detail::load_u64(keep_first + 16 - n);
                hi = detail::load_u64(p + 8) & detail::load_u64(keep_first + 24 - n);
            }
            else {
                std::uint8_t buf[16] = {};
                std::memcpy(buf, p, n);
                lo = detail::load_u64(buf);
                hi = detail::load_u64(buf + 8);
            }
            h = mix(mix(h ^ lo) ^ hi);
            return h ^ (h >> 32);
        }
        for (; n >= 8; p += 8, n -= 8)
            h = mix(h ^ detail::load_u64(p));
        if (n >= 4)
            h = mix(h ^ (detail::load_u32(p) | (std::uint64_t(detail::load_u32(p + n - 4)) << 32)));
        else if (n > 0)
            h = mix(h ^ (std::uint64_t(p[0]) | (std::uint64_t(p[n / 2]) << 8) | (std::uint64_t(p[n - 1]) << 16)));
        h = mix(h);
        return h ^ (h >> 32);
    }

    REALMWIRE_ALWAYS_INLINE bool intern(std::string_view s, const std::uint8_t* at)
    {
        if ((strings_.size() + 1) * 2 > slots_.size())
            grow();
        std::size_t mask = slots_.size() - 1;
        std::size_t i = static_cast<std::size_t>(hash(s)) & mask;
        const std::uint64_t gen = std::uint64_t(generation_) << 32;
        while (true) {
            std::uint64_t slot = slots_[i];
            if ((slot & 0xFFFFFFFF00000000ull) != gen)
                break; // empty (stale generation)
            if (strings_[static_cast<std::uint32_t>(slot)] == s)
                return fail(changeset_error::duplicate_intern_string, at, "intern.string");
            i = (i + 1) & mask;
        }
        slots_[i] = gen | strings_.size();
        // From its two scalars: push_back(s) made the compiler keep `s` in memory for the reallocating
        // path, written as two 8-byte halves and read back as one 16-byte load that cannot be
        // forwarded from them (a stall of about a dozen cycles per interned string).
        const char* data = s.data();
        std::size_t size = s.size();
        strings_.emplace_back(data, size);
        return true;
    }

    void grow()
    {
        std::size_t n = slots_.empty() ? 64 : slots_.size() * 2;
        slots_.assign(n, 0);
        const std::uint64_t gen = std::uint64_t(generation_) << 32;
        std::size_t mask = n - 1;
        for (std::size_t k = 0; k < strings_.size(); ++k) {
            std::size_t i = static_cast<std::size_t>(hash(strings_[k])) & mask;
            while ((slots_[i] & 0xFFFFFFFF00000000ull) == gen)
                i = (i + 1) & mask;
            slots_[i] = gen | k;
        }
    }

    // ---- the record loop ----
    template <class V>
    bool run(V& visitor)
    {
        // The cursor is a local: kept in a register across the record loop. As a member it was stored and
        // reloaded around every field (the stores into `in` may alias it), a memory round trip on the
        // critical path of each varint.
        const std::uint8_t* p = begin_;
        const std::uint8_t* const end = end_;
        std::size_t instructions = 0;
        // Reused across calls: constructing it zeroed about 400 bytes per call (a `rep stos` with its
        // start-up cost, per changeset of about a kilobyte). What the type does not carry is left from
        // earlier instructions as it always was, except views into earlier inputs: those are cleared.
        instruction_view& in = in_;
        in.table.str = {};
        in.object.string.str = {};
        in.field.str = {};
        in.path = {};
        in.value.data = {};
        in.value.link_table.str = {};
        in.value.link_target.string.str = {};
        in.pk_field.str = {};
        in.link_target_table.str = {};
        while (p != end) {
            const std::uint8_t* at = p;
            std::uint64_t tag;
            if (!read_int(p, tag, "tag"))
                return false;
            if (tag == intern_string_tag) {
                if (REALMWIRE_UNLIKELY(strings_.size() >= limits_.max_interned_strings))
                    return fail(changeset_error::too_many_strings, at, "intern.index");
                const std::uint8_t* idx_at = p;
                std::uint32_t idx;
                if (!read_int(p, idx, "intern.index"))
                    return false;
                if (REALMWIRE_UNLIKELY(idx != strings_.size()))
                    return fail(changeset_error::unexpected_intern_index, idx_at, "intern.index");
                const std::uint8_t* str_at = p;
                std::string_view s;
                if (!read_bytes(p, s, limits_.max_string_size, changeset_error::string_too_long, limits_.validate_utf8,
                                "intern.string"))
                    return false;
                if (!intern(s, str_at))
                    return false;
                visitor.intern_string(idx, s);
                continue;
            }
            if (REALMWIRE_UNLIKELY(tag > 13))
                return fail(changeset_error::unknown_instruction, at, "tag");
            if (REALMWIRE_UNLIKELY(++instructions > limits_.max_instructions))
                return fail(changeset_error::too_many_instructions, at, "tag");
            in.type = static_cast<instruction_type>(tag);
            in.offset = static_cast<std::size_t>(at - begin_);
            if (!read_instruction_at(p, in))
                return false;
            visitor.instruction(static_cast<const instruction_view&>(in));
        }
        return true;
    }

    // One body for every instruction, inlined into the record loop: no call, no spill of the cursor.
    // The path instructions share one copy of the path prefix and one copy of the payload reader (the
    // first switch only says which of them follow), so the hot code stays small enough for the cache.
    REALMWIRE_ALWAYS_INLINE bool read_instruction_at(const std::uint8_t*& p, instruction_view& in)
    {
        // Instructions without a path get an empty one: a path left from an earlier instruction would
        // point into the string table, which an InternString since then may have reallocated.
        if (in.type < instruction_type::update || in.type == instruction_type::add_column ||
            in.type == instruction_type::erase_column)
            in.path = path_view{};
        switch (in.type) {
            case instruction_type::add_table: {
                if (!read_istr(p, in.table, name_kind::class_name, "table"))
                    return false;
                const std::uint8_t* at = p;
                std::uint64_t t;
                if (!read_int(p, t, "table_type"))
                    return false;
                if (t > 2)
                    return fail(changeset_error::unknown_table_type, at, "table_type");
                in.table_kind = static_cast<table_type>(t);
                if (in.table_kind == table_type::embedded)
                    return true;
                if (!read_istr(p, in.pk_field, name_kind::field_name, "pk_field"))
                    return false;
                at = p;
                if (!read_type(p, in.pk_type, "pk_type"))
                    return false;
                switch (in.pk_type) {
                    case payload_type::integer:
                    case payload_type::string:
                    case payload_type::object_id:
                    case payload_type::uuid:
                    case payload_type::global_key: break;
                    default: return fail(changeset_error::invalid_primary_key_type, at, "pk_type");
                }
                return read_bool(p, in.pk_nullable, "pk_nullable");
            }
            case instruction_type::erase_table: return read_istr(p, in.table, name_kind::class_name, "table");
            case instruction_type::create_object:
            case instruction_type::erase_object:
                return read_istr(p, in.table, name_kind::class_name, "table") && read_pk(p, in.object, "object");
            case instruction_type::add_column: {
                const std::uint8_t* q = read_add_column(p, in);
                if (!q)
                    return false;
                p = q;
                return true;
            }
            case instruction_type::erase_column:
                return read_istr(p, in.table, name_kind::class_name, "table") &&
                       read_istr(p, in.field, name_kind::field_name, "field");
            case instruction_type::update:
            case instruction_type::add_integer:
            case instruction_type::array_insert:
            case instruction_type::array_move:
            case instruction_type::array_erase:
            case instruction_type::clear:
            case instruction_type::set_insert:
            case instruction_type::set_erase: break;
            default: return fail(changeset_error::unknown_instruction, p, "tag");
        }
        if (!read_path_prefix(p, in))
            return false;
        const instruction_type t = in.type;
        const bool ends_in_index = in.path.ends_in_index();
        if (t >= instruction_type::array_insert && t <= instruction_type::array_erase && !ends_in_index)
            return fail(changeset_error::missing_list_index, path_at_, "path");
        if (t == instruction_type::update || t == instruction_type::array_insert || t >= instruction_type::set_insert) {
            payload_context ctx = t >= instruction_type::set_insert ? payload_context::set_element : payload_context::any_value;
            bool dictionary_key_path = t == instruction_type::update && !in.path.empty() && !ends_in_index;
            if (!read_payload_at(p, in.value, ctx, dictionary_key_path))
                return false;
            if (t == instruction_type::update) {
                if (ends_in_index)
                    return read_int(p, in.prior_size, "prior_size");
                return read_bool(p, in.is_default, "is_default");
            }
            if (t == instruction_type::array_insert)
                return read_int(p, in.prior_size, "prior_size");
            return true;
        }
        switch (t) {
            case instruction_type::add_integer: return read_int(p, in.add_value, "value");
            case instruction_type::array_move: return read_int(p, in.ndx_2, "ndx_2") && read_int(p, in.prior_size, "prior_size");
            case instruction_type::array_erase: return read_int(p, in.prior_size, "prior_size");
            default: return read_collection(p, in.collection, "collection_type"); // clear
        }
    }

    // Rare (schema changes): out of line, like read_decimal.
    const std::uint8_t* read_add_column(const std::uint8_t* p, instruction_view& in) noexcept
    {
        return read_add_column_at(p, in) ? p : nullptr;
    }
    bool read_add_column_at(const std::uint8_t*& p, instruction_view& in) noexcept
    {
        if (!read_istr(p, in.table, name_kind::class_name, "table") || !read_istr(p, in.field, name_kind::field_name, "field"))
            return false;
        const std::uint8_t* at = p;
        if (!read_type(p, in.column_type, "type"))
            return false;
        if (static_cast<int>(in.column_type) < 0)
            return fail(changeset_error::invalid_column_type, at, "type");
        if (!read_bool(p, in.nullable, "nullable") || !read_collection(p, in.collection, "collection_type"))
            return false;
        if (in.column_type == payload_type::link &&
            !read_istr(p, in.link_target_table, name_kind::class_name, "link_target_table"))
            return false;
        if (in.collection == collection_type::dictionary) {
            at = p;
            if (!read_type(p, in.key_type, "key_type"))
                return false;
            if (in.key_type != payload_type::string)
                return fail(changeset_error::invalid_dictionary_key, at, "key_type");
        }
        else {
            in.key_type = payload_type::null;
        }
        return true;
    }

    ::realmwire::changeset::limits limits_{};
    const std::uint8_t* begin_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    changeset_error err_{};
    const std::uint8_t* err_at_ = nullptr;
    const std::uint8_t* path_at_ = nullptr; ///< start of the last path read (for missing_list_index)
    const std::uint8_t* fast_end_ = nullptr; ///< end_ - 1 (begin_ for inputs under 2 bytes)
    std::size_t class_cap_ = 0;              ///< max_class_name_size, 0 (unchecked) as SIZE_MAX
    std::size_t field_cap_ = 0;              ///< max_field_name_size, likewise
    std::string_view err_field_{};
    instruction_view in_{};
    std::vector<std::string_view> strings_;
    std::vector<std::uint64_t> slots_; ///< open addressing: generation << 32 | string index
    std::uint32_t generation_ = 0;
    std::uint64_t seed_ = mix(reinterpret_cast<std::uintptr_t>(this) ^ 0x2545F4914F6CDD1Dull);
};

/// One-shot forms (a fresh decoder per call: prefer a long-lived `decoder` on hot paths).
template <class V>
bool decode(std::string_view in, V& visitor, std::error_code& ec, error_info& where, const limits& lim = {})
{
    decoder d(lim);
    return d.decode(in, visitor, ec, where);
}
template <class V>
void decode(std::string_view in, V& visitor, const limits& lim = {})
{
    decoder d(lim);
    d.decode(in, visitor);
}

} // namespace realmwire::changeset

#endif
