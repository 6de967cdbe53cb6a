#include "PluginGate.h"
#include <chrono>

namespace Palaver {
namespace Server {

std::shared_ptr<PluginGate> PluginGate::create()
{
	std::shared_ptr<PluginGate> gate(new PluginGate);
	gate->_self = gate;
	return gate;
}

// Counted before closed is read (both sequentially consistent): once
// close() is done and waitIdle() saw no call, every later enter() sees closed.
bool PluginGate::enter()
{
	_inFlight.fetch_add(1);
	if (!_closed.load()) return true;
	leave();
	return false;
}

void PluginGate::leave()
{
	if (_inFlight.fetch_sub(1) == 1 && _closed.load())
	{
		// Under the mutex: waitIdle() checks and sleeps under it, so it cannot miss this.
		std::lock_guard<std::mutex> lock(_mutex);
		_idle.notify_all();
	}
}

void PluginGate::close()
{
	_closed.store(true);
}

std::shared_ptr<void> PluginGate::ticket()
{
	if (!enter()) return nullptr;
	std::shared_ptr<PluginGate> gate = _self.lock();
	return std::shared_ptr<void>(gate.get(), [gate](void*) { gate->leave(); });
}

bool PluginGate::waitIdle(const Poco::Timespan& timeout)
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _idle.wait_for(lock, std::chrono::microseconds(timeout.totalMicroseconds()), [this] { return _inFlight.load() == 0; });
}

void PluginGate::release()
{
	std::vector<std::shared_ptr<Releasable>> held;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		held.swap(_held);
	}
	for (const auto& callback: held) callback->release();
}

} } // namespace Palaver::Server
