#include "Value.hpp"

#include <cmath>

#include "RequestError.hpp"

namespace mediaplane {

const Value* Value::Find(std::string_view key) const {
	if (!IsObject()) return nullptr;
	for (const auto& entry : AsObject()) {
		if (entry.first == key) return &entry.second;
	}
	return nullptr;
}

Value& Value::Set(std::string key, Value value) {
	if (!IsObject()) data_ = Object{};
	auto& object = AsObject();
	for (auto& entry : object) {
		if (entry.first == key) {
			entry.second = std::move(value);
			return *this;
		}
	}
	object.emplace_back(std::move(key), std::move(value));
	return *this;
}

Value& Value::Push(Value value) {
	if (!IsArray()) data_ = Array{};
	AsArray().push_back(std::move(value));
	return *this;
}

namespace {

const Value& RequireField(const Value& object, std::string_view key, Value::Type type,
                          const char* typeName) {
	const Value* field = object.Find(key);
	if (!field || field->IsNull()) {
		throw RequestError::Type("missing " + std::string(key));
	}
	if (field->GetType() != type) {
		throw RequestError::Type(std::string(key) + " must be " + typeName);
	}
	return *field;
}

const Value* OptionalField(const Value& object, std::string_view key, Value::Type type,
                           const char* typeName) {
	const Value* field = object.Find(key);
	if (!field || field->IsNull()) return nullptr;
	if (field->GetType() != type) {
		throw RequestError::Type(std::string(key) + " must be " + typeName);
	}
	return field;
}

} // namespace

const std::string& Value::RequireString(std::string_view key) const {
	return RequireField(*this, key, Type::String, "a string").AsString();
}

double Value::RequireNumber(std::string_view key) const {
	return RequireField(*this, key, Type::Number, "a number").AsNumber();
}

uint32_t Value::RequireUint32(std::string_view key) const {
	double number = RequireNumber(key);
	if (number < 0 || number > 4294967295.0 || std::floor(number) != number) {
		throw RequestError::Type(std::string(key) + " must be an unsigned 32-bit integer");
	}
	return static_cast<uint32_t>(number);
}

bool Value::RequireBool(std::string_view key) const {
	return RequireField(*this, key, Type::Bool, "a boolean").AsBool();
}

const Value::Object& Value::RequireObject(std::string_view key) const {
	return RequireField(*this, key, Type::Object, "an object").AsObject();
}

const Value::Array& Value::RequireArray(std::string_view key) const {
	return RequireField(*this, key, Type::Array, "an array").AsArray();
}

std::string Value::OptionalString(std::string_view key, std::string fallback) const {
	const Value* field = OptionalField(*this, key, Type::String, "a string");
	return field ? field->AsString() : fallback;
}

double Value::OptionalNumber(std::string_view key, double fallback) const {
	const Value* field = OptionalField(*this, key, Type::Number, "a number");
	return field ? field->AsNumber() : fallback;
}

uint32_t Value::OptionalUint32(std::string_view key, uint32_t fallback) const {
	const Value* field = OptionalField(*this, key, Type::Number, "a number");
	if (!field) return fallback;
	return RequireUint32(key);
}

bool Value::OptionalBool(std::string_view key, bool fallback) const {
	const Value* field = OptionalField(*this, key, Type::Bool, "a boolean");
	return field ? field->AsBool() : fallback;
}

} // namespace mediaplane
