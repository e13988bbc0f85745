#pragma once
// A tiny assertion library for the engine's C++ unit tests, so they need no third-party
// framework. test/cpp/main.cpp runs every registered test and prints TAP-like lines
// ("ok N - suite/name", "not ok N - suite/name") that test/cpp-unit.test.js turns into
// tap assertions.
//
//   #include "check.hpp"
//   TEST(parses_sender_report) {
//     SenderReport sr;
//     REQUIRE(sr.Parse(view));          // stops this test on failure
//     CHECK_EQ(sr.ssrc, 0x12345678u);   // records the failure, prints both values, goes on
//     CHECK_BYTES_EQ(out.data(), n, expected.data(), expected.size());
//   }
//
// CHECK* record a failure and continue; REQUIRE* end the current test (by throwing)
// when later lines depend on them. Integer comparisons are sign-safe, so CHECK_EQ(v.size(), 3)
// needs no suffix. A test also fails when it throws.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace mediaplane {
namespace test {

struct TestCase {
	std::string name;
	void (*body)();
};

inline std::vector<TestCase>& Registry() {
	static std::vector<TestCase> tests;
	return tests;
}

// Failures recorded by the running test.
inline int& CurrentFailures() {
	static int failures = 0;
	return failures;
}

// Thrown by REQUIRE* to end the running test; the runner catches it.
struct RequireFailed {};

// "rtcp" for ".../test/cpp/rtcp.test.cpp".
inline std::string SuiteName(const char* file) {
	std::string name(file);
	const size_t slash = name.find_last_of("/\\");
	if (slash != std::string::npos) name = name.substr(slash + 1);
	const size_t dot = name.find('.');
	if (dot != std::string::npos) name = name.substr(0, dot);
	return name;
}

struct Registrar {
	Registrar(const char* file, const char* name, void (*body)()) {
		Registry().push_back({ SuiteName(file) + "/" + name, body });
	}
};

template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

template <typename T, typename = void>
struct IsRange : std::false_type {};
template <typename T>
struct IsRange<T, std::void_t<decltype(std::begin(std::declval<const T&>())), decltype(std::end(std::declval<const T&>()))>>
    : std::true_type {};

// Prints a value for a failure message: integers in decimal (and hex when unsigned and
// wider than a byte, handy for SSRCs), bytes as numbers, enums as their number,
// containers as {a, b, c}.
template <typename T>
std::string Describe(const T& value) {
	std::ostringstream out;
	if constexpr (std::is_same_v<T, bool>) {
		out << (value ? "true" : "false");
	} else if constexpr (std::is_enum_v<T>) {
		out << "enum " << +static_cast<std::underlying_type_t<T>>(value);
	} else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
		out << static_cast<int>(value);
	} else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
		out << value << " (0x" << std::hex << value << ")";
	} else if constexpr (std::is_same_v<T, std::nullptr_t>) {
		out << "nullptr";
	} else if constexpr (IsStreamable<T>::value) {
		out << value;
	} else if constexpr (IsRange<T>::value) {
		out << "{";
		size_t i = 0;
		for (const auto& element : value) {
			if (i) out << ", ";
			if (i == 64) {
				out << "...";
				break;
			}
			out << Describe(element);
			++i;
		}
		out << "}";
	} else {
		out << "<unprintable>";
	}
	return out.str();
}

// Comparisons that do not convert a negative signed integer to a huge unsigned one.
template <typename A, typename B>
bool Equal(const A& a, const B& b) {
	if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> && !std::is_same_v<B, bool>) {
		if constexpr (std::is_signed_v<A> == std::is_signed_v<B>) {
			return a == b;
		} else if constexpr (std::is_signed_v<A>) {
			return a >= 0 && static_cast<std::make_unsigned_t<A>>(a) == b;
		} else {
			return b >= 0 && a == static_cast<std::make_unsigned_t<B>>(b);
		}
	} else {
		return a == b;
	}
}

template <typename A, typename B>
bool Less(const A& a, const B& b) {
	if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> && !std::is_same_v<B, bool>) {
		if constexpr (std::is_signed_v<A> == std::is_signed_v<B>) {
			return a < b;
		} else if constexpr (std::is_signed_v<A>) {
			return a < 0 || static_cast<std::make_unsigned_t<A>>(a) < b;
		} else {
			return b >= 0 && a < static_cast<std::make_unsigned_t<B>>(b);
		}
	} else {
		return a < b;
	}
}

inline void ReportFailure(const char* file, int line, const std::string& what, const std::string& details = "") {
	++CurrentFailures();
	std::printf("# %s:%d: %s\n", file, line, what.c_str());
	if (!details.empty()) {
		std::istringstream lines(details);
		std::string text;
		while (std::getline(lines, text)) std::printf("#   %s\n", text.c_str());
	}
	std::fflush(stdout);
}

inline bool Check(bool passed, const char* expression, const char* file, int line) {
	if (!passed) ReportFailure(file, line, std::string("CHECK(") + expression + ") failed");
	return passed;
}

enum class Relation { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual };

template <typename A, typename B>
bool CheckRelation(Relation relation, const A& a, const B& b, const char* name, const char* as, const char* bs,
                   const char* file, int line) {
	bool passed = false;
	switch (relation) {
	case Relation::Equal:
		passed = Equal(a, b);
		break;
	case Relation::NotEqual:
		passed = !Equal(a, b);
		break;
	case Relation::Less:
		passed = Less(a, b);
		break;
	case Relation::LessOrEqual:
		passed = !Less(b, a);
		break;
	case Relation::Greater:
		passed = Less(b, a);
		break;
	case Relation::GreaterOrEqual:
		passed = !Less(a, b);
		break;
	}
	if (!passed) {
		ReportFailure(file, line, std::string(name) + "(" + as + ", " + bs + ") failed",
		              std::string("left:  ") + Describe(a) + "\nright: " + Describe(b));
	}
	return passed;
}

inline std::string HexDump(const uint8_t* data, size_t len, size_t mark) {
	std::ostringstream out;
	static const char* kDigits = "0123456789abcdef";
	for (size_t i = 0; i < len; ++i) {
		if (i && i % 16 == 0) out << "\n";
		else if (i) out << " ";
		if (i == mark) out << "[";
		out << kDigits[data[i] >> 4] << kDigits[data[i] & 15];
		if (i == mark) out << "]";
	}
	return out.str();
}

inline bool CheckBytes(const uint8_t* actual, size_t actualLen, const uint8_t* expected, size_t expectedLen,
                       const char* file, int line) {
	size_t first = 0;
	while (first < actualLen && first < expectedLen && actual[first] == expected[first]) ++first;
	if (first == actualLen && first == expectedLen) return true;
	std::ostringstream details;
	details << "sizes: actual " << actualLen << ", expected " << expectedLen << "; first difference at byte " << first
	        << "\nactual:\n" << HexDump(actual, actualLen, first) << "\nexpected:\n" << HexDump(expected, expectedLen, first);
	ReportFailure(file, line, "CHECK_BYTES_EQ failed", details.str());
	return false;
}

} // namespace test
} // namespace mediaplane

#define MEDIAPLANE_TEST_CONCAT2(a, b) a##b
#define MEDIAPLANE_TEST_CONCAT(a, b) MEDIAPLANE_TEST_CONCAT2(a, b)

// Defines and registers a test; `name` is an identifier, unique within its file.
#define TEST(name)                                                                                         \
	static void MEDIAPLANE_TEST_CONCAT(test_body_, name)();                                                \
	static const ::mediaplane::test::Registrar MEDIAPLANE_TEST_CONCAT(test_registrar_, name)(               \
	    __FILE__, #name, &MEDIAPLANE_TEST_CONCAT(test_body_, name));                                         \
	static void MEDIAPLANE_TEST_CONCAT(test_body_, name)()

#define CHECK(cond) ::mediaplane::test::Check(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
#define MEDIAPLANE_CHECK_RELATION(rel, name, a, b)                                                          \
	::mediaplane::test::CheckRelation(::mediaplane::test::Relation::rel, (a), (b), name, #a, #b, __FILE__, __LINE__)
#define CHECK_EQ(a, b) MEDIAPLANE_CHECK_RELATION(Equal, "CHECK_EQ", a, b)
#define CHECK_NE(a, b) MEDIAPLANE_CHECK_RELATION(NotEqual, "CHECK_NE", a, b)
#define CHECK_LT(a, b) MEDIAPLANE_CHECK_RELATION(Less, "CHECK_LT", a, b)
#define CHECK_LE(a, b) MEDIAPLANE_CHECK_RELATION(LessOrEqual, "CHECK_LE", a, b)
#define CHECK_GT(a, b) MEDIAPLANE_CHECK_RELATION(Greater, "CHECK_GT", a, b)
#define CHECK_GE(a, b) MEDIAPLANE_CHECK_RELATION(GreaterOrEqual, "CHECK_GE", a, b)
// Compares two byte ranges and prints both in hex, the first difference in [brackets].
#define CHECK_BYTES_EQ(actual, actualLen, expected, expectedLen)                                             \
	::mediaplane::test::CheckBytes((actual), (actualLen), (expected), (expectedLen), __FILE__, __LINE__)

// Like CHECK*, but end the current test on failure.
#define REQUIRE(cond)                                                                                       \
	do {                                                                                                    \
		if (!CHECK(cond)) throw ::mediaplane::test::RequireFailed{};                                       \
	} while (0)
#define REQUIRE_EQ(a, b)                                                                                    \
	do {                                                                                                    \
		if (!CHECK_EQ(a, b)) throw ::mediaplane::test::RequireFailed{};                                    \
	} while (0)
