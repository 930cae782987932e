#include "realmwire/changeset.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace rc = realmwire::changeset;

namespace {

/// Builds random changesets that a strict decoder must accept: every instruction and payload type,
/// the extremes of every integer width, empty and long strings, deep paths.
class generator {
public:
    explicit generator(std::uint64_t seed) : rng_(seed) {}

    rc::changeset make()
    {
        rc::changeset cs;
        cs_ = &cs;
        used_.clear();
        // A few names first (class/field names stay within Realm's length limits).
        std::size_t n_names = pick(1, 8);
        for (std::size_t i = 0; i < n_names; ++i)
            names_.push_back(add_string(random_text(pick(0, 1) ? pick(1, 12) : pick(0, 50))));
        std::size_t n = pick(0, 40);
        for (std::size_t i = 0; i < n; ++i)
            cs.instructions.push_back(instruction());
        names_.clear();
        return cs;
    }

private:
    std::size_t pick(std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_); }
    bool coin() { return pick(0, 1) == 1; }

    std::string random_text(std::size_t len)
    {
        static const char* pieces[] = {"a", "Z", "_", "0", " ", "\xC3\xB8", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\"", "\x7F"};
        std::string s;
        while (s.size() < len) {
            const char* p = pieces[pick(0, 9)];
            if (s.size() + std::strlen(p) > len)
                p = "x";
            s += p;
        }
        return s;
    }
    std::string random_bytes(std::size_t len)
    {
        std::string s(len, '\0');
        for (auto& c : s)
            c = static_cast<char>(pick(0, 255));
        return s;
    }

    rc::string_id add_string(std::string s)
    {
        while (used_.count(s))
            s += "~";
        used_.insert(s);
        cs_->strings.push_back(s);
        return {static_cast<std::uint32_t>(cs_->strings.size() - 1)};
    }
    rc::string_id empty_string()
    {
        used_.insert("");
        return cs_->intern("");
    }
    rc::string_id name() { return names_[pick(0, names_.size() - 1)]; }
    /// A string for keys and String pks: sometimes new, sometimes long, sometimes empty.
    rc::string_id any_string()
    {
        switch (pick(0, 5)) {
            case 0: return empty_string();
            case 1: return add_string(random_text(pick(100, 5000)));
            case 2: return add_string(random_text(pick(1, 30)));
            default: return name();
        }
    }

    std::int64_t int64()
    {
        static const std::int64_t special[] = {0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193,
                                               std::numeric_limits<std::int64_t>::max(),
                                               std::numeric_limits<std::int64_t>::min(),
                                               std::numeric_limits<std::int32_t>::max(),
                                               std::numeric_limits<std::int32_t>::min()};
        if (coin())
            return special[pick(0, 13)];
        return static_cast<std::int64_t>(rng_()) >> pick(0, 63);
    }
    std::uint64_t uint64()
    {
        static const std::uint64_t special[] = {0, 63, 64, std::numeric_limits<std::uint64_t>::max(), std::uint64_t{1} << 63};
        return coin() ? special[pick(0, 4)] : rng_() >> pick(0, 63);
    }
    std::uint32_t uint32()
    {
        static const std::uint32_t special[] = {0, 1, 63, 64, 0xFFFFFFFFu, 0x7FFFFFFFu};
        return coin() ? special[pick(0, 5)] : static_cast<std::uint32_t>(rng_()) >> pick(0, 31);
    }

    rc::primary_key pk()
    {
        switch (pick(0, 5)) {
            case 0: return std::monostate{};
            case 1: return int64();
            case 2: return any_string();
            case 3: {
                rc::object_id o;
                for (auto& b : o.bytes)
                    b = static_cast<std::uint8_t>(pick(0, 255));
                return o;
            }
            case 4: {
                rc::uuid u;
                for (auto& b : u.bytes)
                    b = static_cast<std::uint8_t>(pick(0, 255));
                return u;
            }
            default: return rc::global_key{uint64(), uint64()};
        }
    }

    rc::payload scalar()
    {
        switch (pick(0, 11)) {
            case 0: return rc::payload::null();
            case 1: return rc::payload::make_int(int64());
            case 2: return rc::payload::make_bool(coin());
            case 3: return rc::payload::make_string(coin() ? std::string() : random_text(pick(0, coin() ? 20 : 70000)));
            case 4: return rc::payload::make_binary(random_bytes(pick(0, coin() ? 20 : 3000)));
            case 5: {
                std::int64_t s = int64();
                std::int32_t ns = static_cast<std::int32_t>(pick(0, 999999999));
                if (s < 0)
                    ns = -ns;
                else if (s == 0 && coin())
                    ns = -ns;
                return rc::payload::make_timestamp({s, ns});
            }
            case 6: {
                static const float f[] = {0.0f, -0.0f, 1.5f, std::numeric_limits<float>::infinity(),
                                          std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min(),
                                          std::numeric_limits<float>::max(), -760.90741f};
                return rc::payload::make_float(f[pick(0, 7)]);
            }
            case 7: {
                double d;
                std::uint64_t bits = rng_();
                std::memcpy(&d, &bits, 8); // any bit pattern, NaNs included
                return rc::payload::make_double(d);
            }
            case 8: {
                rc::decimal128 d;
                switch (pick(0, 3)) {
                    case 0: d.coefficient_lo = 0; break;
                    case 1:
                        d.coefficient_lo = ~std::uint64_t{0};
                        d.coefficient_hi = (std::uint64_t{1} << 49) - 1;
                        break;
                    default:
                        d.coefficient_lo = rng_();
                        d.coefficient_hi = rng_() >> 15;
                }
                static const int exps[] = {-6176, 10207, 0, -1, 9184, 6111};
                d.exponent = coin() ? exps[pick(0, 5)] : static_cast<int>(pick(0, 16383)) - 6176;
                d.negative = coin();
                return rc::payload::make_decimal(d);
            }
            case 9: return rc::payload::make_link(name(), pk());
            case 10: {
                rc::object_id o;
                for (auto& b : o.bytes)
                    b = static_cast<std::uint8_t>(pick(0, 255));
                return rc::payload::make_object_id(o);
            }
            default: {
                rc::uuid u;
                for (auto& b : u.bytes)
                    b = static_cast<std::uint8_t>(pick(0, 255));
                return rc::payload::make_uuid(u);
            }
        }
    }
    rc::payload value(bool allow_collections)
    {
        if (allow_collections && pick(0, 4) == 0) {
            static const rc::payload_type t[] = {rc::payload_type::object_value, rc::payload_type::dictionary,
                                                 rc::payload_type::list, rc::payload_type::set};
            return rc::payload::make(t[pick(0, 3)]);
        }
        return scalar();
    }

    void target(rc::path_target& t, bool end_in_index, bool end_in_key)
    {
        t.table = name();
        t.object = pk();
        t.field = name();
        std::size_t depth = pick(0, 3) == 0 ? pick(0, 256) : pick(0, 3);
        if ((end_in_index || end_in_key) && depth == 0)
            depth = 1;
        for (std::size_t i = 0; i < depth; ++i) {
            if (coin())
                t.path.emplace_back(uint32());
            else
                t.path.emplace_back(any_string());
        }
        if (end_in_index)
            t.path.back() = uint32();
        if (end_in_key)
            t.path.back() = any_string();
    }

    rc::instruction instruction()
    {
        switch (pick(0, 13)) {
            case 0: {
                rc::add_table i;
                i.table = name();
                i.type = static_cast<rc::table_type>(pick(0, 2));
                if (i.type != rc::table_type::embedded) {
                    i.pk_field = name();
                    static const rc::payload_type t[] = {rc::payload_type::integer, rc::payload_type::string,
                                                         rc::payload_type::object_id, rc::payload_type::uuid,
                                                         rc::payload_type::global_key};
                    i.pk_type = t[pick(0, 4)];
                    i.pk_nullable = coin();
                }
                return i;
            }
            case 1: return rc::erase_table{name()};
            case 2: return rc::create_object{name(), pk()};
            case 3: return rc::erase_object{name(), pk()};
            case 4: {
                rc::update i;
                int shape = static_cast<int>(pick(0, 2)); // 0 plain field, 1 list index, 2 dictionary key
                target(i, shape == 1, shape == 2);
                if (shape == 0)
                    i.path.clear();
                if (shape == 2 && pick(0, 3) == 0)
                    i.value = rc::payload::make(rc::payload_type::erased);
                else
                    i.value = value(true);
                if (rc::ends_in_index(i.path))
                    i.prior_size = uint32();
                else
                    i.is_default = coin();
                return i;
            }
            case 5: {
                rc::add_integer i;
                target(i, false, false);
                i.value = int64();
                return i;
            }
            case 6: {
                rc::add_column i;
                i.table = name();
                i.field = name();
                i.type = static_cast<rc::payload_type>(pick(0, 11));
                i.nullable = coin();
                i.collection = static_cast<rc::collection_type>(pick(0, 3));
                if (i.type == rc::payload_type::link)
                    i.link_target_table = coin() ? name() : empty_string(); // "" = typed link
                if (i.collection == rc::collection_type::dictionary)
                    i.key_type = rc::payload_type::string;
                return i;
            }
            case 7: return rc::erase_column{name(), name()};
            case 8: {
                rc::array_insert i;
                target(i, true, false);
                i.value = value(true);
                i.prior_size = uint32();
                return i;
            }
            case 9: {
                rc::array_move i;
                target(i, true, false);
                i.ndx_2 = uint32();
                i.prior_size = uint32();
                return i;
            }
            case 10: {
                rc::array_erase i;
                target(i, true, false);
                i.prior_size = uint32();
                return i;
            }
            case 11: {
                rc::clear i;
                target(i, false, false);
                i.collection = static_cast<rc::collection_type>(pick(0, 3));
                return i;
            }
            case 12: {
                rc::set_insert i;
                target(i, false, false);
                i.value = scalar();
                return i;
            }
            default: {
                rc::set_erase i;
                target(i, false, false);
                i.value = scalar();
                return i;
            }
        }
    }

    std::mt19937_64 rng_;
    rc::changeset* cs_ = nullptr;
    std::set<std::string> used_;
    std::vector<rc::string_id> names_;
};

struct counting_visitor {
    std::size_t strings = 0, instructions = 0;
    void intern_string(std::uint32_t, std::string_view) { ++strings; }
    void instruction(const rc::instruction_view&) { ++instructions; }
};

} // namespace

TEST_CASE("round trip: generated changesets re-decode to themselves in every layout")
{
    generator gen(20261126);
    std::set<int> seen_types;
    std::set<int> seen_payloads;
    rc::decoder dec;
    for (int iter = 0; iter < 1000; ++iter) {
        rc::changeset cs = gen.make();
        for (const auto& in : cs.instructions) {
            seen_types.insert(static_cast<int>(in.index()));
            auto note = [&](const rc::payload& p) { seen_payloads.insert(static_cast<int>(p.type)); };
            if (auto u = std::get_if<rc::update>(&in))
                note(u->value);
            if (auto a = std::get_if<rc::array_insert>(&in))
                note(a->value);
            if (auto s = std::get_if<rc::set_insert>(&in))
                note(s->value);
        }
        for (auto l : {rc::layout::strings_first, rc::layout::client}) {
            INFO("iteration " << iter << " layout " << static_cast<int>(l));
            std::error_code ec;
            std::string bytes = rc::encode(cs, l, ec);
            REQUIRE_FALSE(ec);
            realmwire::error_info where;
            rc::changeset back = rc::decode_changeset(bytes, ec, where);
            INFO(realmwire::describe_error("decode", ec, where));
            REQUIRE_FALSE(ec);
            if (cs.instructions.empty() && l == rc::layout::strings_first) {
                CHECK(bytes.empty()); // realm-core writes nothing for an empty changeset
                continue;
            }
            CHECK(back == cs);
            CHECK(back.placement == rc::string_placement(cs, l));
            CHECK(rc::encode(back, rc::layout::preserve) == bytes);
            CHECK(rc::encode(back, l) == bytes);
            // The packed form holds the same changeset, and its views are the visitor decoder's.
            rc::packed_changeset pc = rc::decode_packed_changeset(bytes);
            CHECK(rc::to_model(pc) == back);
            CHECK(rc::to_model(pc).placement == back.placement);
            REQUIRE(pc.size() == back.instructions.size());
            for (std::size_t i = 0; i < pc.size(); ++i)
                CHECK(rc::to_model(pc[i]) == back.instructions[i]);
            counting_visitor v;
            REQUIRE(dec.decode(bytes, v, ec));
            CHECK(v.strings == cs.strings.size());
            CHECK(v.instructions == cs.instructions.size());
        }
    }
    CHECK(seen_types.size() == 14);
    CHECK(seen_payloads.size() == 17); // every payload type but GlobalKey (never a payload)
}

TEST_CASE("round trip: Erased, deep paths and the longest strings at the limits")
{
    rc::changeset cs;
    auto t = cs.intern("T"), f = cs.intern("f"), k = cs.intern("k");
    std::string longest(16777199, 'x');
    auto big = cs.intern(longest);
    rc::update u;
    u.table = t;
    u.object = big; // a String pk of the maximal length
    u.field = f;
    for (int i = 0; i < 255; ++i)
        u.path.emplace_back(std::uint32_t(i));
    u.path.emplace_back(k);
    u.value = rc::payload::make(rc::payload_type::erased);
    cs.instructions.push_back(u);
    rc::array_insert a;
    a.table = t;
    a.object = std::int64_t{1};
    a.field = f;
    a.path.assign(256, std::uint32_t{0xFFFFFFFF});
    a.value = rc::payload::make_binary(std::string(16777200, '\xFF'));
    cs.instructions.push_back(a);
    std::string bytes = rc::encode(cs);
    rc::limits lim;
    lim.max_changeset_size = 40 << 20; // two maximal values do not fit the default 32 MiB
    auto back = rc::decode_changeset(bytes, lim);
    CHECK(back == cs);
    // One more path element or byte is over the default limits.
    std::get<rc::array_insert>(cs.instructions[1]).path.emplace_back(std::uint32_t{0});
    std::error_code ec;
    realmwire::error_info where;
    rc::decode_changeset(rc::encode(cs), ec, where, lim);
    CHECK(ec == make_error_code(realmwire::changeset_error::path_too_deep));
}

TEST_CASE("the encoder refuses models it cannot write")
{
    using realmwire::changeset_error;
    std::error_code ec;
    rc::changeset cs;
    cs.intern("T");
    cs.instructions.push_back(rc::erase_table{{1}}); // no string #1
    CHECK(rc::encode(cs, rc::layout::strings_first, ec).empty());
    CHECK(ec == make_error_code(changeset_error::invalid_model));

    rc::changeset cs2;
    auto t = cs2.intern("T");
    rc::array_erase e;
    e.table = t;
    e.field = t; // path empty: no index
    cs2.instructions.push_back(e);
    rc::encode(cs2, rc::layout::client, ec);
    CHECK(ec == make_error_code(changeset_error::invalid_model));
    CHECK_THROWS_AS(rc::encode(cs2), realmwire::system_error);

    rc::changeset cs3;
    cs3.intern("a");
    cs3.intern("b");
    cs3.placement = {1, 0}; // decreasing
    cs3.instructions.push_back(rc::erase_table{{0}});
    rc::encode(cs3, rc::layout::preserve, ec);
    CHECK(ec == make_error_code(changeset_error::invalid_model));
    cs3.placement = {0, 2}; // beyond the last instruction
    rc::encode(cs3, rc::layout::preserve, ec);
    CHECK(ec == make_error_code(changeset_error::invalid_model));
    cs3.placement = {0, 1}; // after the last instruction: fine
    std::string bytes = rc::encode(cs3, rc::layout::preserve, ec);
    CHECK_FALSE(ec);
    CHECK(bytes == std::string("\x3F\x00\x01" "a" "\x01\x00" "\x3F\x01\x01" "b", 10));
}
