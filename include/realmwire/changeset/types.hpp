#ifndef REALMWIRE_CHANGESET_TYPES_HPP
#define REALMWIRE_CHANGESET_TYPES_HPP

// Scalar types and enums of the changeset format (docs/protocol.md), shared by the value model
// (instruction.hpp) and the zero-copy views (decoder.hpp). Numbers are realm-core's wire values.

#include <array>
#include <cstdint>
#include <cstring>

namespace realmwire::changeset {

/// Instruction tags (docs/protocol.md). InternString (63) is a meta-record, never an instruction.
enum class instruction_type : std::uint8_t {
    add_table = 0,
    erase_table = 1,
    create_object = 2,
    erase_object = 3,
    update = 4,
    add_integer = 5,
    add_column = 6,
    erase_column = 7,
    array_insert = 8,
    array_move = 9,
    array_erase = 10,
    clear = 11,
    set_insert = 12,
    set_erase = 13,
};
inline constexpr std::uint64_t intern_string_tag = 0x3F;

/// Payload::Type (docs/protocol.md). As an AddColumn type, null means Mixed.
enum class payload_type : std::int8_t {
    set = -6,
    list = -5,
    erased = -4,
    dictionary = -3,
    object_value = -2,
    global_key = -1,
    null = 0,
    integer = 1,
    boolean = 2,
    string = 3,
    binary = 4,
    timestamp = 5,
    float_ = 6,
    double_ = 7,
    decimal = 8,
    link = 9,
    object_id = 10,
    uuid = 11,
};

enum class table_type : std::uint8_t { top_level = 0, embedded = 1, top_level_asymmetric = 2 };
enum class collection_type : std::uint8_t { single = 0, list = 1, dictionary = 2, set = 3 };

/// realm-core's names, as its print_changeset writes them.
inline const char* name_of(instruction_type t) noexcept
{
    switch (t) {
        case instruction_type::add_table: return "AddTable";
        case instruction_type::erase_table: return "EraseTable";
        case instruction_type::create_object: return "CreateObject";
        case instruction_type::erase_object: return "EraseObject";
        case instruction_type::update: return "Update";
        case instruction_type::add_integer: return "AddInteger";
        case instruction_type::add_column: return "AddColumn";
        case instruction_type::erase_column: return "EraseColumn";
        case instruction_type::array_insert: return "ArrayInsert";
        case instruction_type::array_move: return "ArrayMove";
        case instruction_type::array_erase: return "ArrayErase";
        case instruction_type::clear: return "Clear";
        case instruction_type::set_insert: return "SetInsert";
        case instruction_type::set_erase: return "SetErase";
    }
    return "?";
}

inline const char* name_of(payload_type t) noexcept
{
    switch (t) {
        case payload_type::set: return "Set";
        case payload_type::list: return "List";
        case payload_type::erased: return "Erased";
        case payload_type::dictionary: return "Dictionary";
        case payload_type::object_value: return "ObjectValue";
        case payload_type::global_key: return "GlobalKey";
        case payload_type::null: return "Null";
        case payload_type::integer: return "Int";
        case payload_type::boolean: return "Bool";
        case payload_type::string: return "String";
        case payload_type::binary: return "Binary";
        case payload_type::timestamp: return "Timestamp";
        case payload_type::float_: return "Float";
        case payload_type::double_: return "Double";
        case payload_type::decimal: return "Decimal";
        case payload_type::link: return "Link";
        case payload_type::object_id: return "ObjectId";
        case payload_type::uuid: return "UUID";
    }
    return "?";
}

inline const char* name_of(collection_type t) noexcept
{
    switch (t) {
        case collection_type::single: return "Single";
        case collection_type::list: return "List";
        case collection_type::dictionary: return "Dictionary";
        case collection_type::set: return "Set";
    }
    return "?";
}

inline const char* name_of(table_type t) noexcept
{
    switch (t) {
        case table_type::top_level: return "TopLevel";
        case table_type::embedded: return "Embedded";
        case table_type::top_level_asymmetric: return "TopLevelAsymmetric";
    }
    return "?";
}

/// 12 bytes in canonical (BSON, big-endian) order, exactly as on the wire.
struct object_id {
    std::array<std::uint8_t, 12> bytes{};
    friend bool operator==(const object_id& a, const object_id& b) noexcept { return a.bytes == b.bytes; }
    friend bool operator!=(const object_id& a, const object_id& b) noexcept { return !(a == b); }
};

/// 16 bytes in RFC 4122 textual order, exactly as on the wire.
struct uuid {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const uuid& a, const uuid& b) noexcept { return a.bytes == b.bytes; }
    friend bool operator!=(const uuid& a, const uuid& b) noexcept { return !(a == b); }
};

/// The object key of a table without a primary key.
struct global_key {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    friend bool operator==(const global_key& a, const global_key& b) noexcept { return a.hi == b.hi && a.lo == b.lo; }
    friend bool operator!=(const global_key& a, const global_key& b) noexcept { return !(a == b); }
};

/// Realm's Timestamp: nanoseconds in (-1e9, 1e9), with the sign of seconds (either may be 0).
struct timestamp {
    std::int64_t seconds = 0;
    std::int32_t nanoseconds = 0;
    friend bool operator==(const timestamp& a, const timestamp& b) noexcept
    {
        return a.seconds == b.seconds && a.nanoseconds == b.nanoseconds;
    }
    friend bool operator!=(const timestamp& a, const timestamp& b) noexcept { return !(a == b); }
};

/// Decimal128 as the wire carries it: the unpacked BID128 fields. The coefficient is below 2^113,
/// `exponent + 6176` fits the 14-bit field [0, 16383] (NaN and ±Inf unpack to exponents above 6111 and
/// round-trip), and the sign is 0 or 1.
struct decimal128 {
    std::uint64_t coefficient_lo = 0;
    std::uint64_t coefficient_hi = 0; ///< below 2^49
    std::int32_t exponent = 0;
    bool negative = false;

    static constexpr int exponent_bias = 6176;

    /// From IEEE 754-2008 BID128 bits (w[0] low, w[1] high), as realm::Decimal128 stores them.
    static decimal128 from_bid(std::uint64_t w0, std::uint64_t w1) noexcept
    {
        decimal128 d;
        d.coefficient_lo = w0;
        d.coefficient_hi = w1 & ((std::uint64_t(1) << 49) - 1);
        d.exponent = static_cast<std::int32_t>((w1 >> 49) & 0x3FFF) - exponent_bias;
        d.negative = (w1 >> 63) != 0;
        return d;
    }
    /// Back to BID128 bits, as realm-core's Decimal128(Bid128, int, bool) rebuilds them.
    void to_bid(std::uint64_t& w0, std::uint64_t& w1) const noexcept
    {
        w0 = coefficient_lo;
        w1 = coefficient_hi | (std::uint64_t(static_cast<std::uint32_t>(exponent + exponent_bias) & 0x3FFF) << 49) |
             (std::uint64_t(negative) << 63);
    }
    friend bool operator==(const decimal128& a, const decimal128& b) noexcept
    {
        return a.coefficient_lo == b.coefficient_lo && a.coefficient_hi == b.coefficient_hi &&
               a.exponent == b.exponent && a.negative == b.negative;
    }
    friend bool operator!=(const decimal128& a, const decimal128& b) noexcept { return !(a == b); }
};

/// Floats compare by bit pattern in the model, so NaN payloads and -0.0 round-trip and compare equal to
/// themselves.
inline bool same_bits(float a, float b) noexcept
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}
inline bool same_bits(double a, double b) noexcept
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace realmwire::changeset

#endif
