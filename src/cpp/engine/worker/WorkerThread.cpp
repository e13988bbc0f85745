#include "WorkerThread.hpp"

#if defined(__linux__) || defined(__APPLE__)
#include <pthread.h>
#endif

#include <atomic>

#include "Worker.hpp"

namespace mediaplane {

WorkerThread::WorkerThread(std::shared_ptr<Channel> channel, WorkerSettings settings,
                           std::function<void()> onThreadEnd)
    : channel_(std::move(channel)), settings_(std::move(settings)),
      onThreadEnd_(std::move(onThreadEnd)) {}

WorkerThread::~WorkerThread() { Stop(); }

std::string WorkerThread::ThreadName(unsigned number) {
	std::string name = "mediaplane-w" + std::to_string(number);
	// pthread_setname_np fails (ERANGE) on Linux beyond 15 characters: from the 1000th
	// worker on, a shorter prefix ("mp-w" and up to 10 digits).
	if (name.size() > 15) name = "mp-w" + std::to_string(number);
	return name;
}

void WorkerThread::Start() {
	// One count per process (the addon is loaded once even with several Node environments).
	static std::atomic<unsigned> started{ 0 };
	name_ = ThreadName(++started);
	thread_ = std::thread(&WorkerThread::ThreadMain, this);
}

void WorkerThread::Stop() noexcept {
	// Runs from destructors and from Node's env cleanup hook, where an exception would
	// end the process: a failure to lock or join (std::system_error, which no correct
	// program meets) is absorbed here.
	try {
		channel_->RequestClose();
	} catch (...) {
	}
	Join();
}

void WorkerThread::Join() noexcept {
	if (!thread_.joinable() || thread_.get_id() == std::this_thread::get_id()) return;
	try {
		thread_.join();
	} catch (...) {
		// A std::thread destroyed while joinable calls std::terminate.
		thread_.detach();
	}
}

void WorkerThread::ThreadMain() {
	// A name is a debugging aid: failing to set it changes nothing else.
#if defined(__linux__)
	pthread_setname_np(pthread_self(), name_.c_str());
#elif defined(__APPLE__)
	pthread_setname_np(name_.c_str());
#endif
	std::string fatalError;
	try {
		Worker worker(*channel_, settings_);
		fatalError = worker.Run();
	} catch (const std::exception& error) {
		fatalError = error.what();
	} catch (...) {
		fatalError = "unknown exception";
	}

	Value exitData = Value::MakeObject();
	if (!fatalError.empty()) exitData.Set("fatalError", fatalError);
	try {
		channel_->PushOutgoing(ChannelOutMessage::Notify("", "@exit", std::move(exitData)));
	} catch (...) {
		// Out of memory while reporting the exit: the main side still learns of it
		// when the wake-up handle is released below.
	}
	if (onThreadEnd_) onThreadEnd_();
}

} // namespace mediaplane
