//
// PluginGate.h
//

#ifndef Palaver_Server_PluginGate_INCLUDED
#define Palaver_Server_PluginGate_INCLUDED

#include <Poco/Timespan.h>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace Palaver {
namespace Server {

/// The door between the core and one plugin's callbacks (route handlers,
/// event subscribers, admin commands): every call the core makes into them
/// passes the gate, which counts the calls in flight. Stopping the plugin
/// closes the gate (later calls are turned away), waits until the calls in
/// flight have returned, and then releases the callbacks (their closures'
/// destructors are plugin code too), all before the library is unloaded.
///
/// Thread-safe: calls pass from any thread, without a lock (two atomic
/// operations each); close(), waitIdle() and release() come from the thread
/// that stops the plugin.
class PluginGate
{
public:
	/// Wraps callback so that each call passes the gate; a call after close()
	/// runs whenClosed instead (which may throw, e.g. a 503 for a route).
	template <class R, class... Args>
	std::function<R(Args...)> guard(std::function<R(Args...)> callback, std::function<R(Args...)> whenClosed)
	{
		auto held = std::make_shared<Held<std::function<R(Args...)>>>(std::move(callback));
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_held.push_back(held);
		}
		std::shared_ptr<PluginGate> gate = _self.lock();
		return [gate, held, whenClosed](Args... args) -> R
		{
			if (!gate->enter()) return whenClosed(std::forward<Args>(args)...);
			Pass pass(*gate);
			return held->callback(std::forward<Args>(args)...);
		};
	}

	/// A gate for one plugin; always through create(), since guarded
	/// callbacks share it.
	static std::shared_ptr<PluginGate> create();

	/// Counts as a call in flight until the last copy is destroyed (a
	/// streamed body's source, called after its handler returned); null
	/// after close().
	std::shared_ptr<void> ticket();

	/// Turns away every later call.
	void close();

	/// Waits until no call is in flight, at most timeout; false if some still are.
	bool waitIdle(const Poco::Timespan& timeout);

	/// Destroys every guarded callback (after close() and waitIdle()): the
	/// plugin's code must still be loaded.
	void release();

private:
	struct Releasable
	{
		virtual ~Releasable() = default;
		virtual void release() = 0;
	};

	template <class F>
	struct Held: Releasable
	{
		explicit Held(F f): callback(std::move(f)) {}
		void release() override { F().swap(callback); }
		F callback;
	};

	/// Leaves the gate when it goes out of scope, however the call ended.
	class Pass
	{
	public:
		explicit Pass(PluginGate& gate): _gate(gate) {}
		~Pass() { _gate.leave(); }
		Pass(const Pass&) = delete;
		Pass& operator=(const Pass&) = delete;

	private:
		PluginGate& _gate;
	};

	PluginGate() = default;

	bool enter();
	void leave();

	std::weak_ptr<PluginGate> _self;
	std::atomic<int> _inFlight{0};
	std::atomic<bool> _closed{false};
	std::mutex _mutex;             /// for _idle and _held
	std::condition_variable _idle;
	std::vector<std::shared_ptr<Releasable>> _held;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
