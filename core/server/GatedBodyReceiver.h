//
// GatedBodyReceiver.h
//

#ifndef Palaver_Server_GatedBodyReceiver_INCLUDED
#define Palaver_Server_GatedBodyReceiver_INCLUDED

#include "palaver/BodyReceiver.h"
#include <memory>
#include <mutex>
#include <string>

namespace Palaver {
namespace Server {

/// A plugin's BodyReceiver as the core holds it (ScopedRouter): it is
/// called on workers after its route's handler returned, so it holds a
/// ticket of the plugin's gate (the plugin is not stopped and unloaded
/// under it). When the plugin stops at run time (a reload), stop() lets go
/// of the plugin's receiver at once, or as soon as the call under way
/// returns: a body that is still arriving is then answered 503
/// plugin_unavailable (Retry-After: 1) at its next part, the plugin's
/// receiver destroyed (its destructor drops what it kept, e.g. a temporary
/// file); a stalled upload never holds up the reload. A body whose finish()
/// is under way completes.
///
/// Threads: receive() and finish() on workers, one at a time (as
/// BodyReceiver); stop() on the thread that stops the plugin.
class GatedBodyReceiver: public BodyReceiver
{
public:
	GatedBodyReceiver(std::shared_ptr<void> ticket, std::shared_ptr<BodyReceiver> receiver, std::string pluginName);

	void receive(const char* data, std::size_t size) override;
	void finish(Response& response) override;

	/// The plugin is stopping: lets go of its receiver and ticket now, or
	/// after the call under way.
	void stop();

private:
	/// Calls call(the plugin's receiver), marked as under way; throws the
	/// 503 once the receiver is gone.
	template <class Call>
	void through(Call call);
	/// The call returned: lets go of the plugin's receiver if stop() came meanwhile.
	void leave();

	const std::string _pluginName;
	std::mutex _mutex;
	bool _busy = false;
	bool _stopping = false;
	/// Members go in reverse order: the receiver (the plugin's code) before the ticket.
	std::shared_ptr<void> _ticket;
	std::shared_ptr<BodyReceiver> _receiver;
};

} } // namespace Palaver::Server

#endif
