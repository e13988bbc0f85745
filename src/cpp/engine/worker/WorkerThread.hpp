#pragma once
// Starts a Worker on a thread of its own and reports when that thread ends.
//
// Each worker thread is named "mediaplane-wN" (N counts the workers this process has
// started, from 1) so that top -H, perf, gdb and crash reports tell the threads apart;
// Linux keeps at most 15 characters of a thread name.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "../channel/Channel.hpp"
#include "WorkerSettings.hpp"

namespace mediaplane {

class WorkerThread {
public:
	// `onThreadEnd` runs last on the worker thread, after the final "@exit" message
	// was queued; the addon uses it to release its wake-up handle.
	WorkerThread(std::shared_ptr<Channel> channel, WorkerSettings settings,
	             std::function<void()> onThreadEnd);
	~WorkerThread();

	WorkerThread(const WorkerThread&) = delete;
	WorkerThread& operator=(const WorkerThread&) = delete;

	// Throws std::system_error when the thread cannot be created.
	void Start();
	// Asks the worker to close and waits for its thread. Idempotent.
	void Stop() noexcept;
	// Waits for a thread that was already asked to close or has ended.
	void Join() noexcept;
	// "mediaplane-wN", set by Start().
	const std::string& GetName() const { return name_; }

	// The name of the Nth worker thread of the process, cut to the 15 characters Linux keeps.
	static std::string ThreadName(unsigned number);

private:
	void ThreadMain();

	std::shared_ptr<Channel> channel_;
	WorkerSettings settings_;
	std::function<void()> onThreadEnd_;
	std::thread thread_;
	std::string name_;
};

} // namespace mediaplane
