// JsonReader: the JSON text (RFC 8259) that carries request data to the worker thread.
#include "check.hpp"

#include <clocale>
#include <cstdio>
#include <string>

#include "../../src/cpp/engine/common/JsonReader.hpp"
#include "../../src/cpp/engine/common/RequestError.hpp"

using mediaplane::ParseJson;
using mediaplane::RequestError;
using mediaplane::Value;

namespace {

bool Rejects(const std::string& text) {
	try {
		ParseJson(text);
	} catch (const RequestError& error) {
		return error.GetKind() == RequestError::Kind::TypeError;
	}
	return false;
}

} // namespace

TEST(parses_a_request_shaped_document) {
	Value v = ParseJson(R"( {"consumerId":"c1","paused":false,"n":-12.5e1,"z":0,
		"rtpParameters":{"codecs":[{"payloadType":100,"parameters":{}}],"encodings":[{"ssrc":4294967295}]},
		"none":null, "list":[], "t":true} )");
	REQUIRE(v.IsObject());
	CHECK_EQ(v.RequireString("consumerId"), std::string("c1"));
	CHECK(!v.RequireBool("paused"));
	CHECK(v.RequireBool("t"));
	CHECK_EQ(v.RequireNumber("n"), -125.0);
	CHECK_EQ(v.RequireNumber("z"), 0.0);
	CHECK(v.Find("none") && v.Find("none")->IsNull());
	CHECK(v.RequireArray("list").empty());
	const Value& rtp = *v.Find("rtpParameters");
	CHECK_EQ(rtp.RequireArray("codecs")[0].RequireUint32("payloadType"), 100u);
	CHECK_EQ(rtp.RequireArray("encodings")[0].RequireUint32("ssrc"), 4294967295u);
	// Keys keep their order.
	CHECK_EQ(v.AsObject()[0].first, std::string("consumerId"));
	CHECK_EQ(v.AsObject().back().first, std::string("t"));
}

// OptionalUint32 (issue 14's channel fuzz target found handlers that cast request numbers
// to integers unchecked, undefined behaviour out of range): the fallback when the field is
// absent or null, the integer when it is one in 0..2^32-1, a TypeError naming the field
// for anything else.
TEST(optional_uint32_reads_only_integers_in_range) {
	Value v = ParseJson(R"({"a":0,"b":4294967295,"n":null,"neg":-1,"big":4294967296,"frac":1.5,"huge":1e30,"s":"5"})");
	CHECK_EQ(v.OptionalUint32("a", 7), 0u);
	CHECK_EQ(v.OptionalUint32("b", 7), 4294967295u);
	CHECK_EQ(v.OptionalUint32("n", 7), 7u);
	CHECK_EQ(v.OptionalUint32("missing", 7), 7u);
	for (const char* key : { "neg", "big", "frac", "huge", "s" }) {
		bool typeError = false;
		try {
			(void)v.OptionalUint32(key, 7);
		} catch (const RequestError& error) {
			typeError = error.GetKind() == RequestError::Kind::TypeError &&
			            std::string(error.what()).find(key) != std::string::npos;
		}
		if (!typeError) std::fprintf(stderr, "  key: %s\n", key);
		CHECK(typeError);
	}
}

TEST(decodes_string_escapes_to_utf8) {
	Value v = ParseJson(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "\udc00", "ü"])");
	REQUIRE(v.IsArray());
	CHECK_EQ(v.AsArray()[0].AsString(), std::string("a\"b\\c/d\b\f\n\r\t"));
	CHECK_EQ(v.AsArray()[1].AsString(), std::string("\xc3\xa9\xe2\x82\xac"));
	CHECK_EQ(v.AsArray()[2].AsString(), std::string("\xf0\x9f\x98\x80")); // U+1F600 from a surrogate pair
	CHECK_EQ(v.AsArray()[3].AsString(), std::string("\xef\xbf\xbd"));     // a lone low surrogate → U+FFFD
	CHECK_EQ(v.AsArray()[4].AsString(), std::string("\xc3\xbc"));         // raw UTF-8 passes through
}

TEST(rejects_malformed_text) {
	const char* bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", "1e", ".5",
		"+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"a\nb\"",
		"1 2", "{} x", "NaN", "Infinity", "'a'", "[\"a\",]", "/* c */ 1",
	};
	for (const char* text : bad) {
		if (!Rejects(text)) {
			CHECK(!"accepted malformed JSON");
			std::fprintf(stderr, "  accepted: %s\n", text);
		}
	}
}

TEST(bounds_nesting) {
	std::string deep(100, '[');
	deep += std::string(100, ']');
	CHECK(Rejects(deep));
	std::string ok(60, '[');
	ok += std::string(60, ']');
	CHECK(ParseJson(ok).IsArray());
}

TEST(every_truncation_of_a_document_is_rejected) {
	const std::string doc = R"({"a":[1,2.5,{"b":"c\u0041"}],"d":true,"e":null})";
	CHECK(ParseJson(doc).IsObject());
	for (size_t n = 0; n < doc.size(); ++n) {
		if (!Rejects(doc.substr(0, n))) {
			CHECK(!"accepted a truncated document");
			std::fprintf(stderr, "  accepted prefix of length %zu\n", n);
		}
	}
}

// Numbers are converted with correct rounding whatever the process locale says about
// the decimal separator (JsonReader uses strtod_l in the C locale: the host application
// may have called setlocale, and the prebuilds' libc++ has no from_chars for double).
TEST(converts_numbers_exactly_in_any_locale) {
	const char* previous = std::setlocale(LC_NUMERIC, nullptr);
	const std::string saved = previous ? previous : "C";
	// A locale with ',' as its decimal separator, where one is installed (glibc's
	// C.UTF-8 has '.'; de_DE is the usual test, but may be missing: then plain C).
	const bool comma = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
	CHECK_EQ(ParseJson("0.1").AsNumber(), 0.1);
	CHECK_EQ(ParseJson("-12.5e1").AsNumber(), -125.0);
	CHECK_EQ(ParseJson("1.7976931348623157e308").AsNumber(), 1.7976931348623157e308);
	CHECK_EQ(ParseJson("5e-324").AsNumber(), 5e-324); // subnormal: accepted
	CHECK_EQ(ParseJson("1e-400").AsNumber(), 0.0);    // underflow to zero: accepted
	CHECK_EQ(ParseJson("9007199254740993").AsNumber(), 9007199254740992.0); // ties to even
	CHECK(Rejects("1e999"));                           // overflow: rejected
	CHECK(Rejects("-1e999"));
	std::setlocale(LC_NUMERIC, saved.c_str());
	if (!comma) std::fprintf(stderr, "  (no de_DE.UTF-8 locale here: checked in the C locale only)\n");
}
