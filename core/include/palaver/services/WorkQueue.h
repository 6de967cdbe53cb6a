//
// WorkQueue.h
//

#ifndef Palaver_Services_WorkQueue_INCLUDED
#define Palaver_Services_WorkQueue_INCLUDED

#include "palaver/Service.h"
#include <cstddef>
#include <functional>

namespace Palaver {

/// Work off the caller's thread, on the core's work threads (API 4.1, issue
/// 20): what a plugin would otherwise start a thread and a condition
/// variable for, e.g. the blocking answer of a bot to a message.stored
/// event (whose subscribers must stay quick). Offered by the core, always:
/// context.services().require<WorkQueue>() gives each plugin its own queue.
///
/// Thread rules:
/// - A plugin's tasks run one at a time, in the order submitted, on one of
///   the core's [work] threads (shared by every plugin, none of them an
///   I/O thread): a task may block (database, MessageStore::post()), and
///   the plugin's state that only its tasks touch needs no lock.
/// - A task's exception is logged on the plugin's logger and swallowed.
/// - When the plugin stops (disable, reload, shutdown), submit() refuses at
///   once; tasks already queued still run, before the plugin's stop(), for
///   up to [http] drain_timeout; those left after it are dropped unrun.
class WorkQueue: public Service
{
public:
	static constexpr const char* NAME = "core.work";

	using Task = std::function<void()>;

	/// Queues task behind the plugin's earlier ones; may be called from any
	/// thread, an I/O thread or a subscriber included (it never blocks).
	/// Throws HttpError 503 (code "busy") when the plugin already has
	/// [work] max_per_plugin tasks queued or running, or it is stopping
	/// (a route may let it through: the client gets the JSON error).
	virtual void submit(Task task) = 0;

	/// The plugin's tasks queued or running.
	virtual std::size_t pending() const = 0;
};

} // namespace Palaver

#endif
