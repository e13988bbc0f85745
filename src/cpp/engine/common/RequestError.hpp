#pragma once
// The error a request handler throws to reject its request. It never leaves the worker
// thread: the dispatcher catches it and turns it into a rejected response, which the
// addon turns into the JS error class named by `kind` on the main thread.

#include <stdexcept>
#include <string>

namespace mediaplane {

class RequestError : public std::runtime_error {
public:
	// Mirrors the public error classes of the API (mediasoup 3.27 names). The addon
	// hands the kind and the message to the TypeScript layer, which makes the error.
	enum class Kind { Error, TypeError, UnsupportedError, WorkerClosedError, NotFoundError };

	RequestError(Kind kind, const std::string& message)
	    : std::runtime_error(message), kind_(kind) {}

	Kind GetKind() const { return kind_; }

	static RequestError Type(const std::string& message) {
		return RequestError(Kind::TypeError, message);
	}
	// The object a request names does not exist (closed, or never created).
	static RequestError NotFound(const std::string& message) {
		return RequestError(Kind::NotFoundError, message);
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
