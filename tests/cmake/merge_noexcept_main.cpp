// Built with -fno-exceptions -DREALMWIRE_NO_EXCEPTIONS and run (tests/cmake/core_floor.cmake, MODE=run):
// the merge reports its errors as error_code without exceptions, and merges as usual.
#include <realmwire/merge.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <cstdlib>

// With REALMWIRE_NO_EXCEPTIONS the application says what a throwing overload does instead.
[[noreturn]] void realmwire::throw_exception(std::error_code ec, std::string_view what, error_info)
{
    std::printf("throw_exception: %.*s: %s\n", static_cast<int>(what.size()), what.data(), ec.message().c_str());
    std::abort();
}

namespace rc = realmwire::changeset;
namespace mg = realmwire::merge;

namespace {

struct one_entry_history {
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

rc::changeset list_insert(std::uint32_t index, std::uint32_t prior_size, std::int64_t value)
{
    rc::changeset cs;
    rc::array_insert in;
    in.table = cs.intern("class_A");
    in.object = std::int64_t{1};
    in.field = cs.intern("li");
    in.path = {index};
    in.value = rc::payload::make_int(value);
    in.prior_size = prior_size;
    cs.instructions.push_back(in);
    return cs;
}

std::error_code merge(one_entry_history& h, rc::changeset incoming, std::vector<mg::versioned_changeset>& out)
{
    out.assign(1, {});
    out[0].cs = std::move(incoming);
    out[0].last_integrated_remote_version = 1;
    out[0].origin_timestamp = 1001;
    out[0].origin_file_ident = 3;
    mg::transformer t;
    std::error_code ec;
    t.transform_remote_changesets(h, 1, 2, out, ec);
    return ec;
}

} // namespace

int main()
{
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::printf("FAILED: %s\n", what);
            ++failures;
        }
    };
    {
        one_entry_history h;
        h.entry = rc::encode(list_insert(0, 2, 20));
        std::vector<mg::versioned_changeset> out;
        check(!merge(h, list_insert(0, 2, 30), out), "a clean merge succeeds");
        const auto* in = std::get_if<rc::array_insert>(&out[0].cs.instructions[0]);
        check(in && std::get<std::uint32_t>(in->path[0]) == 1 && in->prior_size == 3, "the later insert goes second");
    }
    {
        one_entry_history h; // the two inserts disagree on the list's size
        h.entry = rc::encode(list_insert(0, 2, 20));
        std::vector<mg::versioned_changeset> out;
        std::error_code ec = merge(h, list_insert(0, 5, 30), out);
        check(ec == realmwire::merge_error::prior_size_mismatch, "prior_size_mismatch as an error_code");
        check(out[0].cs == list_insert(0, 5, 30), "the incoming changeset is unchanged");
        check(h.reciprocal.empty(), "the history is unchanged");
    }
    {
        one_entry_history h; // history bytes that do not decode
        h.entry = std::string("\x3f\x00\x04", 3);
        std::vector<mg::versioned_changeset> out;
        check(merge(h, list_insert(0, 2, 30), out) == realmwire::merge_error::bad_changeset, "bad_changeset");
    }
    std::printf("%s\n", failures ? "merge without exceptions: FAILED" : "merge without exceptions: ok");
    return failures ? 1 : 0;
}
