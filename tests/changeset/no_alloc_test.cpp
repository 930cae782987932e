#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/packed.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

// Counts every allocation of this test binary, to show that the visitor decoder allocates nothing once
// its intern table has grown, nor decoding into a packed_changeset once its arrays have.

// Under AddressSanitizer the runtime owns every operator new/delete; replacing some of them would
// mismatch allocation and deallocation, so there the count is not taken (the g++ build checks it).
#if defined(__SANITIZE_ADDRESS__)
#define REALMWIRE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REALMWIRE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef REALMWIRE_COUNT_ALLOCATIONS
#define REALMWIRE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<std::size_t> allocations{0};
}

#if REALMWIRE_COUNT_ALLOCATIONS
void* operator new(std::size_t n)
{
    ++allocations;
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}
void* operator new[](std::size_t n)
{
    return operator new(n);
}
void operator delete[](void* p) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}
#endif

namespace rc = realmwire::changeset;

namespace {
struct touching_visitor {
    std::size_t n = 0;
    void intern_string(std::uint32_t, std::string_view s) { n += s.size(); }
    void instruction(const rc::instruction_view& in)
    {
        n += in.value.data.size();
        for (const auto& e : in.path)
            n += e.is_index ? e.index : e.key.str.size();
    }
};
} // namespace

TEST_CASE("the visitor decoder does not allocate once warmed up")
{
    auto frames = cs_test::read_framed(std::string(REALMWIRE_VECTORS_DIR) + "/changesets/basic.bin");
    rc::decoder d;
    touching_visitor v;
    std::error_code ec;
    realmwire::error_info where;
    for (const auto& f : frames) // first pass: the intern table grows to the largest changeset
        REQUIRE(d.decode(f, v, ec, where));
    std::size_t before = allocations.load();
    bool all_ok = true;
    for (int pass = 0; pass < 3; ++pass) {
        for (const auto& f : frames)
            all_ok = d.decode(f, v, ec, where) && all_ok;
    }
    std::size_t after = allocations.load();
    CHECK(all_ok);
    if (REALMWIRE_COUNT_ALLOCATIONS) {
        CHECK(after == before);
        // and the counter does count
        auto* s = new std::string(100, 'x');
        CHECK(allocations.load() > after);
        delete s;
    }
    CHECK(v.n > 0);
}

TEST_CASE("decoding into a reused packed_changeset does not allocate once warmed up")
{
    auto frames = cs_test::read_framed(std::string(REALMWIRE_VECTORS_DIR) + "/changesets/basic.bin");
    rc::packed_changeset pc;
    std::error_code ec;
    realmwire::error_info where;
    // First pass: the thread's decoder and pc's arrays grow to the largest changeset (one warm-up pass
    // per array: each grows on its own largest changeset).
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& f : frames)
            REQUIRE(rc::decode_changeset(f, pc, ec, where));
    std::size_t before = allocations.load();
    bool all_ok = true;
    std::size_t seen = 0;
    for (int pass = 0; pass < 3; ++pass) {
        for (const auto& f : frames) {
            all_ok = rc::decode_changeset(f, pc, ec, where) && all_ok;
            seen += pc.size();
        }
    }
    std::size_t after = allocations.load();
    CHECK(all_ok);
    CHECK(seen > 0);
    if (REALMWIRE_COUNT_ALLOCATIONS)
        CHECK(after == before);
}
