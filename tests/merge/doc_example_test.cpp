// The example of docs/merge.md, compiled and checked.
#include "realmwire/merge.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace rc = realmwire::changeset;
namespace mg = realmwire::merge;

namespace {

struct one_entry_history { // version 2: client 2's changeset
    std::string entry;
    std::map<std::uint64_t, std::string> reciprocal;
    std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, mg::history_entry_view& out)
    {
        if (begin >= 2 || end < 2)
            return 0;
        out.origin_file_ident = 2;
        out.origin_timestamp = 1000;
        out.changeset = entry;
        return 2;
    }
    std::string get_reciprocal_transform(std::uint64_t v) { return reciprocal.count(v) ? reciprocal[v] : entry; }
    void set_reciprocal_transform(std::uint64_t v, std::string b) { reciprocal[v] = std::move(b); }
};

rc::changeset insert_at_0(std::int64_t value) // class_A[1].li.insert(0, value) into a list of 2
{
    rc::changeset cs;
    rc::array_insert in;
    in.table = cs.intern("class_A");
    in.object = std::int64_t{1};
    in.field = cs.intern("li");
    in.path = {std::uint32_t{0}};
    in.value = rc::payload::make_int(value);
    in.prior_size = 2;
    cs.instructions.push_back(in);
    return cs;
}

int example_main()
{
    one_entry_history history;
    history.entry = rc::encode(insert_at_0(20));

    std::vector<mg::versioned_changeset> upload(1);
    upload[0].cs = insert_at_0(30);
    upload[0].last_integrated_remote_version = 1; // client 3 had not seen version 2
    upload[0].origin_timestamp = 1001;
    upload[0].origin_file_ident = 3;

    mg::transformer t;
    std::error_code ec;
    t.transform_remote_changesets(history, /*server file*/ 1, /*latest version*/ 2, upload, ec);
    if (ec)
        return 1;
    // Now: ArrayInsert class_A[1].li[1] = 30, prior_size 3 -- after client 2's element.
    std::string stored = mg::encode_transformed(upload[0]); // what the server stores and sends on
    auto& in = std::get<rc::array_insert>(upload[0].cs.instructions[0]);
    return std::get<std::uint32_t>(in.path[0]) == 1 && in.prior_size == 3 && !stored.empty() ? 0 : 1;
}

} // namespace

TEST_CASE("docs/merge.md example")
{
    CHECK(example_main() == 0);
}
