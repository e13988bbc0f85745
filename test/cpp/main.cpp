// Runs every test registered with TEST() (check.hpp) and prints one line per test:
//   ok 3 - rtcp/parses_sender_report
//   not ok 4 - rtcp/nack_wraparound
// with failure details as "#" lines before it, a "1..N" plan first and a summary
// "# N passed, N failed" last. Exits 1 when any test failed.
//
// Arguments, if any, are substrings: only tests whose name contains one of them run.
// "--after NAME" skips every test up to and including NAME (in registration order):
// after a crash, test/cpp-unit.test.js resumes with the tests that follow. "# start N -
// name" lines mark where each test begins, so a crash (a sanitizer report or a signal)
// can be pinned on the test that was running.

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "check.hpp"

int main(int argc, char** argv) {
	using mediaplane::test::TestCase;
	// Unbuffered, so lines interleave correctly with sanitizer reports on stderr.
	std::setvbuf(stdout, nullptr, _IONBF, 0);

	std::vector<std::string> filters;
	std::string after;
	for (int i = 1; i < argc; ++i) {
		if (std::strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
			after = argv[++i];
		} else {
			filters.push_back(argv[i]);
		}
	}

	std::vector<const TestCase*> selected;
	bool skipping = !after.empty();
	for (const TestCase& test : mediaplane::test::Registry()) {
		if (skipping) {
			skipping = test.name != after;
			continue;
		}
		bool wanted = filters.empty();
		for (size_t i = 0; i < filters.size() && !wanted; ++i) wanted = test.name.find(filters[i]) != std::string::npos;
		if (wanted) selected.push_back(&test);
	}

	std::printf("1..%zu\n", selected.size());
	size_t passed = 0;
	size_t failed = 0;
	for (size_t i = 0; i < selected.size(); ++i) {
		const TestCase& test = *selected[i];
		std::printf("# start %zu - %s\n", i + 1, test.name.c_str());
		mediaplane::test::CurrentFailures() = 0;
		try {
			test.body();
		} catch (const mediaplane::test::RequireFailed&) {
			// Already reported by REQUIRE.
		} catch (const std::exception& error) {
			mediaplane::test::ReportFailure(__FILE__, __LINE__, std::string("uncaught exception: ") + error.what());
		} catch (...) {
			mediaplane::test::ReportFailure(__FILE__, __LINE__, "uncaught non-standard exception");
		}
		const bool ok = mediaplane::test::CurrentFailures() == 0;
		std::printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, test.name.c_str());
		++(ok ? passed : failed);
	}
	std::printf("# %zu passed, %zu failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
