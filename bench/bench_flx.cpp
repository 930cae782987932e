// Flexible sync on the server: building bootstraps and filtering steady-state changesets per view.
// Baseline: `copy_bytes`, copying the same bytes the cases produce or consume (a bootstrap's changesets,
// the history's changesets) — the least any server must do to send them. Ratios are bytes/s relative
// to it; the counters give objects/s (bootstrap) and changesets/s (filter).
//   bootstrap_objects     flx_client_view::bootstrap: half of 5,000 objects in view, sent whole
//                         (bytes = the bootstrap's changesets)
//   filter_steady_state   flx_client_view::filter of 2,000 single-update changesets, a quarter of
//                         which move an object into or out of the view (bytes = the input changesets)
#include "bench_common.hpp"

#include <realmwire/reference/flx_state.hpp>

#include <string>
#include <vector>

namespace cs = realmwire::changeset;
namespace ref = realmwire::reference;

namespace {

constexpr std::int64_t objects = 5000;
constexpr std::int64_t updates = 2000;

cs::changeset schema()
{
    cs::changeset c;
    cs::add_table t;
    t.table = c.intern("Item");
    t.pk_field = c.intern("_id");
    t.pk_type = cs::payload_type::integer;
    c.instructions.push_back(t);
    for (const char* f : {"name", "price"}) {
        cs::add_column a;
        a.table = t.table;
        a.field = c.intern(f);
        a.type = std::string(f) == "name" ? cs::payload_type::string : cs::payload_type::integer;
        a.nullable = std::string(f) == "name";
        c.instructions.push_back(a);
    }
    return c;
}

cs::changeset set(cs::changeset c, std::int64_t id, const char* field, cs::payload v)
{
    cs::update u;
    u.table = c.intern("Item");
    u.object = id;
    u.field = c.intern(field);
    u.value = std::move(v);
    c.instructions.push_back(u);
    return c;
}

struct fixture {
    ref::flx_realm realm;
    ref::flx_access access;
    std::vector<std::string> later; ///< encoded updates, applied after the realm was built
    std::vector<cs::changeset> later_decoded;

    fixture()
    {
        std::error_code ec;
        realm.apply(schema(), ec);
        for (std::int64_t i = 0; i < objects; ++i) {
            cs::changeset c;
            cs::create_object o;
            o.table = c.intern("Item");
            o.object = i;
            c.instructions.push_back(o);
            c = set(std::move(c), i, "name", cs::payload::make_string("item number " + std::to_string(i)));
            c = set(std::move(c), i, "price", cs::payload::make_int(i));
            realm.apply(c, ec);
        }
        auto s = ref::flx_query_schema(realm.current());
        auto sub = ref::flx_subscription::parse(R"j({"Item":"price < 2500"})j", s, ec);
        for (auto& [t, b] : sub.bind(s))
            access.tables[t].subscription = b;
        for (std::int64_t i = 0; i < updates; ++i) {
            std::int64_t id = (i * 7919) % objects;
            // every fourth update crosses the view's boundary
            std::int64_t price = i % 4 == 0 ? (id < 2500 ? 4000 + id : id - 2500) : (id < 2500 ? id / 2 : id + 1);
            later_decoded.push_back(set(cs::changeset{}, id, "price", cs::payload::make_int(price)));
            later.push_back(cs::encode(later_decoded.back()));
        }
    }
};

fixture& data()
{
    static fixture f;
    return f;
}

std::size_t bootstrap_bytes()
{
    ref::flx_client_view v;
    std::size_t n = 0;
    for (const auto& c : v.bootstrap(data().realm, data().access, 64 * 1024))
        n += c.size();
    return n;
}

std::size_t history_bytes()
{
    std::size_t n = 0;
    for (const auto& c : data().later)
        n += c.size();
    return n;
}

void copy_bytes(benchmark::State& state)
{
    std::string src(bootstrap_bytes(), 'x');
    std::string dst;
    for (auto _ : state) {
        dst.assign(src);
        benchmark::DoNotOptimize(dst.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src.size()));
}

void bootstrap_objects(benchmark::State& state)
{
    std::size_t bytes = 0, held = 0;
    for (auto _ : state) {
        ref::flx_client_view v;
        auto out = v.bootstrap(data().realm, data().access, 64 * 1024);
        bytes = 0;
        for (const auto& c : out)
            bytes += c.size();
        held = v.held_count();
        benchmark::DoNotOptimize(out.data());
    }
    if (held != objects / 2)
        state.SkipWithError("the bootstrap does not hold the view");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["objects/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * held), benchmark::Counter::kIsRate);
}

void filter_steady_state(benchmark::State& state)
{
    // The realm after the updates, once; each iteration filters them for a fresh client of the view.
    static ref::flx_realm after = [] {
        ref::flx_realm r = data().realm;
        std::error_code ec;
        for (const auto& c : data().later_decoded)
            r.apply(c, ec);
        return r;
    }();
    const std::uint64_t base = data().realm.version();
    ref::flx_client_view start;
    start.bootstrap(data().realm, data().access, 1 << 30);
    std::size_t sent = 0;
    for (auto _ : state) {
        state.PauseTiming();
        ref::flx_client_view v = start;
        state.ResumeTiming();
        sent = 0;
        std::string out;
        for (std::size_t i = 0; i < data().later.size(); ++i) {
            std::error_code ec;
            sent += v.filter(after, data().access, base + 1 + i, data().later[i], false, out, ec);
        }
        benchmark::DoNotOptimize(sent);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * history_bytes()));
    state.counters["changesets/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * data().later.size()), benchmark::Counter::kIsRate);
    state.counters["sent"] = static_cast<double>(sent);
}

} // namespace

BENCHMARK(copy_bytes);
BENCHMARK(bootstrap_objects)->Unit(benchmark::kMillisecond);
BENCHMARK(filter_steady_state)->Unit(benchmark::kMillisecond);

REALMWIRE_BENCH_MAIN("copy_bytes")
