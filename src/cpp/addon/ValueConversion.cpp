#include "ValueConversion.hpp"

#include <string>

namespace mediaplane {

namespace {

// Requests are small, shallow objects; anything deeper is a cycle or a mistake.
constexpr int kMaxDepth = 32;

void Check(napi_env env, napi_status status) {
	if (status != napi_ok) throw Napi::Error::New(env);
}

std::string ReadString(napi_env env, napi_value value) {
	size_t length = 0;
	Check(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length));
	std::string result(length, '\0');
	Check(env, napi_get_value_string_utf8(env, value, result.data(), length + 1, &length));
	return result;
}

Value Convert(napi_env env, napi_value value, int depth) {
	if (depth > kMaxDepth) {
		throw Napi::TypeError::New(env, "value nested too deeply (cycle?)");
	}
	napi_valuetype type;
	Check(env, napi_typeof(env, value, &type));
	switch (type) {
		case napi_undefined:
		case napi_null: return Value();
		case napi_boolean: {
			bool result;
			Check(env, napi_get_value_bool(env, value, &result));
			return Value(result);
		}
		case napi_number: {
			double result;
			Check(env, napi_get_value_double(env, value, &result));
			return Value(result);
		}
		case napi_string: return Value(ReadString(env, value));
		case napi_object: break;
		default: throw Napi::TypeError::New(env, "unsupported value type in request data");
	}

	bool isArray = false;
	Check(env, napi_is_array(env, value, &isArray));
	if (isArray) {
		uint32_t length = 0;
		Check(env, napi_get_array_length(env, value, &length));
		Value::Array array;
		array.reserve(length);
		for (uint32_t i = 0; i < length; ++i) {
			napi_value element;
			Check(env, napi_get_element(env, value, i, &element));
			array.push_back(Convert(env, element, depth + 1));
		}
		return Value(std::move(array));
	}

	bool isTypedArray = false;
	Check(env, napi_is_typedarray(env, value, &isTypedArray));
	if (isTypedArray) {
		napi_typedarray_type arrayType;
		size_t length;
		void* data;
		napi_value arrayBuffer;
		size_t offset;
		Check(env, napi_get_typedarray_info(env, value, &arrayType, &length, &data, &arrayBuffer,
		                                    &offset));
		if (arrayType != napi_uint8_array) {
			throw Napi::TypeError::New(env, "only Uint8Array/Buffer binary data is supported");
		}
		const auto* bytes = static_cast<const uint8_t*>(data);
		return Value(Value::Bytes(bytes, bytes + length));
	}

	napi_value keys;
	Check(env, napi_get_all_property_names(
	               env, value, napi_key_own_only,
	               static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
	               napi_key_numbers_to_strings, &keys));
	uint32_t count = 0;
	Check(env, napi_get_array_length(env, keys, &count));
	Value::Object object;
	object.reserve(count);
	for (uint32_t i = 0; i < count; ++i) {
		napi_value key;
		napi_value field;
		Check(env, napi_get_element(env, keys, i, &key));
		Check(env, napi_get_property(env, value, key, &field));
		napi_valuetype fieldType;
		Check(env, napi_typeof(env, field, &fieldType));
		if (fieldType == napi_undefined) continue;
		object.emplace_back(ReadString(env, key), Convert(env, field, depth + 1));
	}
	return Value(std::move(object));
}

} // namespace

Value JsToValue(napi_env env, napi_value value) { return Convert(env, value, 0); }

napi_value BytesToJsBuffer(napi_env env, Value::Bytes&& bytes) {
	auto* owned = new Value::Bytes(std::move(bytes));
	napi_value result = nullptr;
	napi_status status = napi_create_external_buffer(
	    env, owned->size(), owned->data(),
	    [](napi_env, void*, void* hint) { delete static_cast<Value::Bytes*>(hint); }, owned, &result);
	if (status != napi_ok) {
		delete owned;
		throw Napi::Error::New(env);
	}
	return result;
}

napi_value ValueToJs(napi_env env, const Value& value) {
	napi_value result = nullptr;
	switch (value.GetType()) {
		case Value::Type::Null: Check(env, napi_get_null(env, &result)); break;
		case Value::Type::Bool: Check(env, napi_get_boolean(env, value.AsBool(), &result)); break;
		case Value::Type::Number:
			Check(env, napi_create_double(env, value.AsNumber(), &result));
			break;
		case Value::Type::String: {
			const std::string& text = value.AsString();
			Check(env, napi_create_string_utf8(env, text.data(), text.size(), &result));
			break;
		}
		case Value::Type::Array: {
			const auto& array = value.AsArray();
			Check(env, napi_create_array_with_length(env, array.size(), &result));
			for (size_t i = 0; i < array.size(); ++i) {
				Check(env, napi_set_element(env, result, static_cast<uint32_t>(i),
				                            ValueToJs(env, array[i])));
			}
			break;
		}
		case Value::Type::Object: {
			Check(env, napi_create_object(env, &result));
			for (const auto& entry : value.AsObject()) {
				Check(env, napi_set_named_property(env, result, entry.first.c_str(),
				                                   ValueToJs(env, entry.second)));
			}
			break;
		}
		case Value::Type::Bytes: {
			const auto& bytes = value.AsBytes();
			void* copy = nullptr;
			Check(env, napi_create_buffer_copy(env, bytes.size(), bytes.data(), &copy, &result));
			break;
		}
	}
	return result;
}

} // namespace mediaplane
