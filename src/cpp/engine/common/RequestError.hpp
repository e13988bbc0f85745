#pragma once
// The error a request handler throws to reject its request. It never leaves the worker
// thread: the dispatcher catches it and turns it into a rejected response, which the
// addon turns into the JS error class named by `kind` on the main thread.

#include <stdexcept>
#include <string>

namespace mediaplane {

class RequestError : public std::runtime_error {
public:
	// Mirrors the public error classes of the API (mediasoup v3 names).
	enum class Kind { Error, TypeError, InvalidStateError, UnsupportedError };

	RequestError(Kind kind, const std::string& message)
	    : std::runtime_error(message), kind_(kind) {}

	Kind GetKind() const { return kind_; }

	static RequestError Type(const std::string& message) {
		return RequestError(Kind::TypeError, message);
	}
	static RequestError InvalidState(const std::string& message) {
		return RequestError(Kind::InvalidStateError, message);
	}

private:
	Kind kind_;
};

// Thrown only for programming errors or unrecoverable engine states. The worker loop
// catches it, closes the worker and reports `died`; the Node process lives on.
class FatalError : public std::runtime_error {
public:
	explicit FatalError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace mediaplane
