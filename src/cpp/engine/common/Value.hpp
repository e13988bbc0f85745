#pragma once
// A small typed value tree that carries request arguments, responses and event data
// across the channel between the Node main thread and a worker thread.
//
// Requests reach the worker as JSON text parsed into this tree (JsonReader.hpp says
// why), or converted from JS values directly when they carry bytes; responses and
// events are converted to JS values from it. The engine reads fields with the typed
// getters below, which report a missing or mistyped field as a RequestError naming
// the field.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mediaplane {

class Value {
public:
	using Array = std::vector<Value>;
	// Keys keep their insertion order, which makes dumps read in a stable order; objects
	// here are small, so a linear search beats a hash map.
	using Object = std::vector<std::pair<std::string, Value>>;
	using Bytes = std::vector<uint8_t>;

	enum class Type { Null, Bool, Number, String, Array, Object, Bytes };

	Value() = default;
	Value(std::nullptr_t) {}
	Value(bool b) : data_(b) {}
	Value(double d) : data_(d) {}
	Value(int i) : data_(static_cast<double>(i)) {}
	Value(int64_t i) : data_(static_cast<double>(i)) {}
	Value(uint32_t i) : data_(static_cast<double>(i)) {}
	Value(uint64_t i) : data_(static_cast<double>(i)) {}
	Value(std::string s) : data_(std::move(s)) {}
	Value(const char* s) : data_(std::string(s)) {}
	Value(Array a) : data_(std::move(a)) {}
	Value(Object o) : data_(std::move(o)) {}
	Value(Bytes b) : data_(std::move(b)) {}

	static Value MakeObject() { return Value(Object{}); }
	static Value MakeArray() { return Value(Array{}); }

	Type GetType() const { return static_cast<Type>(data_.index()); }
	bool IsNull() const { return GetType() == Type::Null; }
	bool IsBool() const { return GetType() == Type::Bool; }
	bool IsNumber() const { return GetType() == Type::Number; }
	bool IsString() const { return GetType() == Type::String; }
	bool IsArray() const { return GetType() == Type::Array; }
	bool IsObject() const { return GetType() == Type::Object; }
	bool IsBytes() const { return GetType() == Type::Bytes; }

	bool AsBool() const { return std::get<bool>(data_); }
	double AsNumber() const { return std::get<double>(data_); }
	const std::string& AsString() const { return std::get<std::string>(data_); }
	const Array& AsArray() const { return std::get<Array>(data_); }
	Array& AsArray() { return std::get<Array>(data_); }
	const Object& AsObject() const { return std::get<Object>(data_); }
	Object& AsObject() { return std::get<Object>(data_); }
	const Bytes& AsBytes() const { return std::get<Bytes>(data_); }

	// Object access. Find returns nullptr for a missing key or a non-object value.
	const Value* Find(std::string_view key) const;
	// Appends (or replaces) a key of an object value; returns *this for chaining.
	Value& Set(std::string key, Value value);
	// Appends to an array value.
	Value& Push(Value value);

	// Typed reads of an object's fields for request handlers. The Require* forms throw
	// RequestError(TypeError) naming the field when it is missing or of another type;
	// the Optional* forms return the fallback when the field is absent or null.
	const std::string& RequireString(std::string_view key) const;
	double RequireNumber(std::string_view key) const;
	uint32_t RequireUint32(std::string_view key) const;
	bool RequireBool(std::string_view key) const;
	const Object& RequireObject(std::string_view key) const;
	const Array& RequireArray(std::string_view key) const;
	std::string OptionalString(std::string_view key, std::string fallback) const;
	double OptionalNumber(std::string_view key, double fallback) const;
	// As RequireUint32 when the field is there (an integer 0..2^32-1, else TypeError).
	uint32_t OptionalUint32(std::string_view key, uint32_t fallback) const;
	bool OptionalBool(std::string_view key, bool fallback) const;

private:
	std::variant<std::monostate, bool, double, std::string, Array, Object, Bytes> data_;
};

} // namespace mediaplane
