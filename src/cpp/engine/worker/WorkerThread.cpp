#include "WorkerThread.hpp"

#include "Worker.hpp"

namespace mediaplane {

WorkerThread::WorkerThread(std::shared_ptr<Channel> channel, WorkerSettings settings,
                           std::function<void()> onThreadEnd)
    : channel_(std::move(channel)), settings_(std::move(settings)),
      onThreadEnd_(std::move(onThreadEnd)) {}

WorkerThread::~WorkerThread() { Stop(); }

void WorkerThread::Start() { thread_ = std::thread(&WorkerThread::ThreadMain, this); }

void WorkerThread::Stop() {
	channel_->RequestClose();
	Join();
}

void WorkerThread::Join() {
	if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void WorkerThread::ThreadMain() {
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
