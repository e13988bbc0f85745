// libFuzzer target: request data as it reaches a worker (issue 14, "the channel"):
// JSON text through common/JsonReader into a Value tree, then the typed field reads every
// request handler uses (Value::Require*/Optional*, Find).
//
// Input: the bytes are the JSON text. Invariants:
//  - ParseJson either returns a Value or throws RequestError (TypeError); nothing else
//    escapes (any other exception is a finding, as a crash is);
//  - a parsed tree written back as JSON (by the small writer here) parses again to an
//    equal tree (numbers compared bit for bit; JSON has no NaN, and an overflowing
//    literal is infinite both times);
//  - field reads on every object of the tree, with the keys it has and a few it lacks,
//    return a value or throw RequestError(TypeError) naming the field; RequireUint32
//    returns an integer in range only.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "../src/cpp/engine/common/JsonReader.hpp"
#include "../src/cpp/engine/common/RequestError.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

void WriteString(const std::string& s, std::string& out) {
	out += '"';
	for (unsigned char c : s) {
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20) {
			char escape[8];
			std::snprintf(escape, sizeof(escape), "\\u%04x", c);
			out += escape;
		} else {
			out += static_cast<char>(c); // UTF-8 passes through as the reader produced it
		}
	}
	out += '"';
}

void WriteJson(const Value& value, std::string& out) {
	switch (value.GetType()) {
	case Value::Type::Null: out += "null"; break;
	case Value::Type::Bool: out += value.AsBool() ? "true" : "false"; break;
	case Value::Type::Number: {
		const double d = value.AsNumber();
		if (std::isinf(d)) {
			out += d > 0 ? "1e999" : "-1e999";
		} else {
			char number[40];
			std::snprintf(number, sizeof(number), "%.17g", d);
			out += number;
		}
		break;
	}
	case Value::Type::String: WriteString(value.AsString(), out); break;
	case Value::Type::Array: {
		out += '[';
		bool first = true;
		for (const Value& item : value.AsArray()) {
			if (!first) out += ',';
			first = false;
			WriteJson(item, out);
		}
		out += ']';
		break;
	}
	case Value::Type::Object: {
		out += '{';
		bool first = true;
		for (const auto& [key, item] : value.AsObject()) {
			if (!first) out += ',';
			first = false;
			WriteString(key, out);
			out += ':';
			WriteJson(item, out);
		}
		out += '}';
		break;
	}
	case Value::Type::Bytes: FUZZ_CHECK(false); break; // JSON never makes bytes
	}
}

bool Equal(const Value& a, const Value& b) {
	if (a.GetType() != b.GetType()) return false;
	switch (a.GetType()) {
	case Value::Type::Null: return true;
	case Value::Type::Bool: return a.AsBool() == b.AsBool();
	case Value::Type::Number: {
		const double x = a.AsNumber();
		const double y = b.AsNumber();
		return std::memcmp(&x, &y, sizeof(x)) == 0 || x == y; // 0.0 == -0.0 is fine too
	}
	case Value::Type::String: return a.AsString() == b.AsString();
	case Value::Type::Array: {
		const auto& x = a.AsArray();
		const auto& y = b.AsArray();
		if (x.size() != y.size()) return false;
		for (size_t i = 0; i < x.size(); ++i)
			if (!Equal(x[i], y[i])) return false;
		return true;
	}
	case Value::Type::Object: {
		const auto& x = a.AsObject();
		const auto& y = b.AsObject();
		if (x.size() != y.size()) return false;
		for (size_t i = 0; i < x.size(); ++i)
			if (x[i].first != y[i].first || !Equal(x[i].second, y[i].second)) return false;
		return true;
	}
	case Value::Type::Bytes: return a.AsBytes() == b.AsBytes();
	}
	return false;
}

// Every typed read a handler might make of `key`; each returns or throws TypeError.
template <typename Read>
void ExpectReadOrTypeError(Read&& read) {
	try {
		read();
	} catch (const RequestError& error) {
		FUZZ_CHECK(error.GetKind() == RequestError::Kind::TypeError);
		FUZZ_CHECK(std::strlen(error.what()) > 0);
	}
}

void ReadFields(const Value& object, std::string_view key) {
	ExpectReadOrTypeError([&] { (void)object.RequireString(key); });
	ExpectReadOrTypeError([&] { (void)object.RequireNumber(key); });
	ExpectReadOrTypeError([&] {
		const double d = object.RequireUint32(key);
		FUZZ_CHECK(d >= 0 && d <= 4294967295.0 && d == std::floor(d));
	});
	ExpectReadOrTypeError([&] { (void)object.RequireBool(key); });
	ExpectReadOrTypeError([&] { (void)object.RequireObject(key); });
	ExpectReadOrTypeError([&] { (void)object.RequireArray(key); });
	ExpectReadOrTypeError([&] { (void)object.OptionalString(key, "fallback"); });
	ExpectReadOrTypeError([&] { (void)object.OptionalNumber(key, 1.5); });
	ExpectReadOrTypeError([&] { (void)object.OptionalBool(key, true); });
	(void)object.Find(key);
}

void ReadEverywhere(const Value& value, int depth) {
	if (depth > 64) return;
	if (value.IsObject()) {
		for (const auto& [key, item] : value.AsObject()) {
			ReadFields(value, key);
			ReadEverywhere(item, depth + 1);
		}
		ReadFields(value, "");
		ReadFields(value, "missing-key");
	} else if (value.IsArray()) {
		for (const Value& item : value.AsArray()) ReadEverywhere(item, depth + 1);
	} else {
		// Field reads on a non-object: Find gives nullptr, Require* a TypeError.
		FUZZ_CHECK(value.Find("x") == nullptr);
		ReadFields(value, "x");
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	const std::string_view text(reinterpret_cast<const char*>(data), size);
	Value parsed;
	try {
		parsed = ParseJson(text);
	} catch (const RequestError& error) {
		FUZZ_CHECK(error.GetKind() == RequestError::Kind::TypeError);
		logging.Drain();
		return 0;
	}
	std::string written;
	WriteJson(parsed, written);
	Value again;
	try {
		again = ParseJson(written);
	} catch (const RequestError&) {
		FUZZ_CHECK(false); // what we wrote from a parsed tree must parse
	}
	FUZZ_CHECK(Equal(parsed, again));
	ReadEverywhere(parsed, 0);
	logging.Drain();
	return 0;
}
