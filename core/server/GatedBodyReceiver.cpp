#include "GatedBodyReceiver.h"
#include "palaver/HttpError.h"

namespace Palaver {
namespace Server {

GatedBodyReceiver::GatedBodyReceiver(std::shared_ptr<void> ticket, std::shared_ptr<BodyReceiver> receiver, std::string pluginName):
	_pluginName(std::move(pluginName)),
	_ticket(std::move(ticket)),
	_receiver(std::move(receiver))
{
}

void GatedBodyReceiver::receive(const char* data, std::size_t size)
{
	through([data, size](BodyReceiver& receiver) { receiver.receive(data, size); });
}

void GatedBodyReceiver::finish(Response& response)
{
	through([&response](BodyReceiver& receiver) { receiver.finish(response); });
}

template <class Call>
void GatedBodyReceiver::through(Call call)
{
	BodyReceiver* receiver = nullptr;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_receiver)
		{
			throw HttpError(503, "plugin_unavailable", "plugin '" + _pluginName + "' restarted during the upload; send it again")
				.withHeader("Retry-After", "1");
		}
		// Kept by _receiver until leave(): stop() lets go of it only when no call is under way.
		_busy = true;
		receiver = _receiver.get();
	}
	try
	{
		call(*receiver);
	}
	catch (...)
	{
		leave();
		throw;
	}
	leave();
}

void GatedBodyReceiver::leave()
{
	// Declared in this order so that the receiver (the plugin's code) goes before the ticket.
	std::shared_ptr<void> ticket;
	std::shared_ptr<BodyReceiver> receiver;
	std::lock_guard<std::mutex> lock(_mutex);
	_busy = false;
	if (!_stopping) return;
	receiver.swap(_receiver);
	ticket.swap(_ticket);
}

void GatedBodyReceiver::stop()
{
	std::shared_ptr<void> ticket;
	std::shared_ptr<BodyReceiver> receiver;
	std::lock_guard<std::mutex> lock(_mutex);
	_stopping = true;
	if (_busy) return;
	receiver.swap(_receiver);
	ticket.swap(_ticket);
}

} } // namespace Palaver::Server
