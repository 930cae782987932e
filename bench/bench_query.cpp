// Flexible-sync queries: parsing subscription text and evaluating a query over objects.
// Baseline: `handwritten_filter`, the same predicate written directly in C++ over the same objects
// (bytes = objects x sizeof(record)); the evaluate cases count bytes the same way, so their ratio is the
// interpreter's speed relative to compiled code.
//   evaluate_expression   query::evaluate on a parsed expression, field lookup by name through the view
//   evaluate_any_object   the same through the type-erased query::any_object
//   evaluate_map_object   the same over query::map_object (std::map per object)
//   parse_query           query::parse of a typical subscription (bytes = query text; read its MB/s,
//                         its ratio to the baseline compares different units)
//   parse_subscriptions   query::parse_subscriptions of a two-table subscription set (bytes = JSON)
#include "bench_common.hpp"

#include <realmwire/query.hpp>

#include <string>
#include <vector>

namespace q = realmwire::query;
using realmwire::changeset::payload;

namespace {

const char* const query_text = "(name BEGINSWITH[c] \"a\" AND price < 10) OR category IN {\"fruit\", \"veg\"} "
                               "OR added > 2024-01-01@00:00:00";

/// A record as a store might keep it, with its fields already as payloads.
struct record {
    payload name, price, category, added;
    const payload* field(std::string_view f) const
    {
        if (f == "name")
            return &name;
        if (f == "price")
            return &price;
        if (f == "category")
            return &category;
        if (f == "added")
            return &added;
        return nullptr;
    }
};

const std::vector<record>& records()
{
    static const std::vector<record> r = [] {
        std::vector<record> out;
        const char* names[] = {"apple", "Avocado", "banana", "cherry", "date", "Apricot", "fig", "grape"};
        const char* cats[] = {"fruit", "veg", "nut", "grain", "dairy"};
        for (int i = 0; i < 1000; ++i) {
            record x;
            x.name = payload::make_string(std::string(names[i % 8]) + std::to_string(i));
            x.price = payload::make_double((i * 37) % 20);
            x.category = payload::make_string(cats[(i * 7) % 5]);
            x.added = payload::make_timestamp({1600000000 + (i * 86400LL) % 200000000, 0});
            out.push_back(std::move(x));
        }
        return out;
    }();
    return r;
}

bool starts_ci_a(const std::string& s)
{
    return !s.empty() && (s[0] == 'a' || s[0] == 'A');
}

void handwritten_filter(benchmark::State& state)
{
    const auto& rs = records();
    const realmwire::changeset::timestamp cutoff{1704067200, 0};
    for (auto _ : state) {
        std::size_t n = 0;
        for (const auto& r : rs) {
            bool m = (starts_ci_a(r.name.data) && r.price.double_value < 10) || r.category.data == "fruit" ||
                     r.category.data == "veg" || r.added.time.seconds > cutoff.seconds ||
                     (r.added.time.seconds == cutoff.seconds && r.added.time.nanoseconds > cutoff.nanoseconds);
            n += m;
        }
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rs.size() * sizeof(record)));
}

template <class View>
void run_evaluate(benchmark::State& state, const std::vector<View>& views)
{
    q::expression e = q::parse(query_text);
    std::size_t expected = 0;
    for (const auto& r : records())
        expected += q::evaluate(e, r);
    for (auto _ : state) {
        std::size_t n = 0;
        for (const auto& v : views)
            n += q::evaluate(e, v);
        benchmark::DoNotOptimize(n);
        if (n != expected)
            state.SkipWithError("evaluation disagrees");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * views.size() * sizeof(record)));
}

void evaluate_expression(benchmark::State& state)
{
    run_evaluate(state, records());
}

void evaluate_any_object(benchmark::State& state)
{
    std::vector<q::any_object> views(records().begin(), records().end());
    run_evaluate(state, views);
}

void evaluate_map_object(benchmark::State& state)
{
    std::vector<q::map_object> views;
    for (const auto& r : records()) {
        q::map_object m;
        m.set("name", r.name).set("price", r.price).set("category", r.category).set("added", r.added);
        views.push_back(std::move(m));
    }
    run_evaluate(state, views);
}

void parse_query(benchmark::State& state)
{
    std::string text = query_text;
    for (auto _ : state) {
        q::expression e = q::parse(text);
        benchmark::DoNotOptimize(e);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void parse_subscriptions(benchmark::State& state)
{
    std::string json = q::write_subscriptions(
        {{"Item", query_text}, {"Item", "TRUEPREDICATE"}, {"Order", "total >= 100 AND status == 'open'"}});
    for (auto _ : state) {
        auto t = q::parse_subscriptions(json);
        benchmark::DoNotOptimize(t);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
}

} // namespace

BENCHMARK(handwritten_filter);
BENCHMARK(evaluate_expression);
BENCHMARK(evaluate_any_object);
BENCHMARK(evaluate_map_object);
BENCHMARK(parse_query);
BENCHMARK(parse_subscriptions);

REALMWIRE_BENCH_MAIN("handwritten_filter");
