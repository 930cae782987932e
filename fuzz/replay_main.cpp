// Replays files (or every file in directories) through LLVMFuzzerTestOneInput, without libFuzzer.
// Used by ctest to keep every fuzz target building and its seeds and regressions passing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    namespace fs = std::filesystem;
    std::size_t runs = 0;
    auto replay = [&](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // Copy into an exactly-sized heap buffer so ASan catches reads one past the end.
        std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
        LLVMFuzzerTestOneInput(exact.data(), exact.size());
        ++runs;
    };
    for (int i = 1; i < argc; ++i) {
        fs::path p = argv[i];
        if (fs::is_directory(p)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(p)) {
                if (e.is_regular_file())
                    files.push_back(e.path());
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                replay(f);
        }
        else if (fs::exists(p)) {
            replay(p);
        }
    }
    std::printf("replayed %zu inputs\n", runs);
    // A target with no seeds is a target nobody exercises.
    return runs == 0 ? 1 : 0;
}
