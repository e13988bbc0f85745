#include "JsonReader.hpp"

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <locale.h>
#include <string>
#if defined(__APPLE__)
#include <xlocale.h> // strtod_l
#endif

#include "RequestError.hpp"

namespace mediaplane {

namespace {

// The "C" locale, made once (POSIX newlocale; glibc and musl have it) and kept.
locale_t CLocale() {
	static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
	return locale;
}

// Our own requests nest about six levels; anything far deeper is not ours.
constexpr int kMaxDepth = 64;

class Reader {
public:
	explicit Reader(std::string_view text) : text_(text) {}

	Value ReadDocument() {
		Value value = ReadValue(0);
		SkipWhitespace();
		if (pos_ != text_.size()) Fail("trailing characters");
		return value;
	}

private:
	[[noreturn]] void Fail(const char* what) const {
		throw RequestError::Type(std::string("invalid JSON request data: ") + what + " at offset " +
		                         std::to_string(pos_));
	}

	void SkipWhitespace() {
		// RFC 8259 §2: space, tab, line feed, carriage return.
		while (pos_ < text_.size()) {
			char c = text_[pos_];
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
			++pos_;
		}
	}

	bool Consume(char expected) {
		SkipWhitespace();
		if (pos_ < text_.size() && text_[pos_] == expected) {
			++pos_;
			return true;
		}
		return false;
	}

	void Expect(char expected) {
		if (!Consume(expected)) Fail("unexpected character");
	}

	void ExpectLiteral(std::string_view literal) {
		if (text_.substr(pos_, literal.size()) != literal) Fail("invalid literal");
		pos_ += literal.size();
	}

	Value ReadValue(int depth) {
		if (depth > kMaxDepth) Fail("nested too deeply");
		SkipWhitespace();
		if (pos_ >= text_.size()) Fail("unexpected end");
		switch (text_[pos_]) {
			case '{': return ReadObject(depth);
			case '[': return ReadArray(depth);
			case '"': return Value(ReadString());
			case 't': ExpectLiteral("true"); return Value(true);
			case 'f': ExpectLiteral("false"); return Value(false);
			case 'n': ExpectLiteral("null"); return Value();
			default: return Value(ReadNumber());
		}
	}

	Value ReadObject(int depth) {
		++pos_; // '{'
		Value::Object object;
		if (Consume('}')) return Value(std::move(object));
		do {
			SkipWhitespace();
			if (pos_ >= text_.size() || text_[pos_] != '"') Fail("expected a key");
			std::string key = ReadString();
			Expect(':');
			Value value = ReadValue(depth + 1);
			// JSON.stringify drops undefined members; null stays null, as with the
			// typed conversion (Optional* getters treat both as absent).
			object.emplace_back(std::move(key), std::move(value));
		} while (Consume(','));
		Expect('}');
		return Value(std::move(object));
	}

	Value ReadArray(int depth) {
		++pos_; // '['
		Value::Array array;
		if (Consume(']')) return Value(std::move(array));
		do {
			array.push_back(ReadValue(depth + 1));
		} while (Consume(','));
		Expect(']');
		return Value(std::move(array));
	}

	uint32_t ReadHex4() {
		if (text_.size() - pos_ < 4) Fail("truncated \\u escape");
		uint32_t value = 0;
		for (int i = 0; i < 4; ++i) {
			char c = text_[pos_++];
			value <<= 4;
			if (c >= '0' && c <= '9') value |= static_cast<uint32_t>(c - '0');
			else if (c >= 'a' && c <= 'f') value |= static_cast<uint32_t>(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F') value |= static_cast<uint32_t>(c - 'A' + 10);
			else Fail("invalid \\u escape");
		}
		return value;
	}

	static void AppendUtf8(std::string& out, uint32_t codePoint) {
		if (codePoint < 0x80) {
			out.push_back(static_cast<char>(codePoint));
		} else if (codePoint < 0x800) {
			out.push_back(static_cast<char>(0xc0 | (codePoint >> 6)));
			out.push_back(static_cast<char>(0x80 | (codePoint & 0x3f)));
		} else if (codePoint < 0x10000) {
			out.push_back(static_cast<char>(0xe0 | (codePoint >> 12)));
			out.push_back(static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f)));
			out.push_back(static_cast<char>(0x80 | (codePoint & 0x3f)));
		} else {
			out.push_back(static_cast<char>(0xf0 | (codePoint >> 18)));
			out.push_back(static_cast<char>(0x80 | ((codePoint >> 12) & 0x3f)));
			out.push_back(static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f)));
			out.push_back(static_cast<char>(0x80 | (codePoint & 0x3f)));
		}
	}

	std::string ReadString() {
		++pos_; // opening quote
		std::string out;
		for (;;) {
			// Copy the run up to the next quote or escape at once.
			size_t runStart = pos_;
			while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\') {
				// RFC 8259 §7: control characters must be escaped.
				if (static_cast<unsigned char>(text_[pos_]) < 0x20) Fail("control character in string");
				++pos_;
			}
			out.append(text_.data() + runStart, pos_ - runStart);
			if (pos_ >= text_.size()) Fail("unterminated string");
			if (text_[pos_++] == '"') return out;
			if (pos_ >= text_.size()) Fail("unterminated escape");
			char escape = text_[pos_++];
			switch (escape) {
				case '"': out.push_back('"'); break;
				case '\\': out.push_back('\\'); break;
				case '/': out.push_back('/'); break;
				case 'b': out.push_back('\b'); break;
				case 'f': out.push_back('\f'); break;
				case 'n': out.push_back('\n'); break;
				case 'r': out.push_back('\r'); break;
				case 't': out.push_back('\t'); break;
				case 'u': {
					uint32_t unit = ReadHex4();
					if (unit >= 0xd800 && unit <= 0xdbff) {
						// A high surrogate must be followed by an escaped low one (§7).
						if (text_.substr(pos_, 2) != "\\u") Fail("lone high surrogate");
						pos_ += 2;
						uint32_t low = ReadHex4();
						if (low < 0xdc00 || low > 0xdfff) Fail("invalid low surrogate");
						unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
					} else if (unit >= 0xdc00 && unit <= 0xdfff) {
						// JSON.stringify escapes lone surrogates; keep them as U+FFFD.
						unit = 0xfffd;
					}
					AppendUtf8(out, unit);
					break;
				}
				default: Fail("invalid escape");
			}
		}
	}

	double ReadNumber() {
		// RFC 8259 §6 grammar: -? int frac? exp?, int without leading zeros.
		size_t start = pos_;
		if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
		auto digits = [&]() {
			size_t from = pos_;
			while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
			return pos_ - from;
		};
		size_t intStart = pos_;
		size_t intDigits = digits();
		if (intDigits == 0) Fail("invalid value");
		if (intDigits > 1 && text_[intStart] == '0') Fail("leading zero");
		if (pos_ < text_.size() && text_[pos_] == '.') {
			++pos_;
			if (digits() == 0) Fail("invalid fraction");
		}
		if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
			++pos_;
			if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
			if (digits() == 0) Fail("invalid exponent");
		}
		// The text is a valid JSON number by now (RFC 8259 §6); strtod_l converts it with
		// correct rounding in the C locale, whatever locale the host application set.
		// (std::from_chars for double would do, but the libc++ of the prebuilds' toolchain
		// does not have it.)
		const std::string number(text_.substr(start, pos_ - start));
		char* end = nullptr;
		errno = 0;
		const double value = strtod_l(number.c_str(), &end, CLocale());
		// Out of range (1e999) is not something JSON.stringify writes.
		// (Underflow to a subnormal or zero is fine.)
		if (end != number.c_str() + number.size() || (errno == ERANGE && std::isinf(value))) Fail("invalid number");
		return value;
	}

	std::string_view text_;
	size_t pos_ = 0;
};

} // namespace

Value ParseJson(std::string_view text) { return Reader(text).ReadDocument(); }

} // namespace mediaplane
