#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"

namespace Palaver {

DeferredResponse::DeferredResponse() = default;

bool DeferredResponse::complete(const std::function<void(Response&)>& build)
{
	Delivery deliver;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_completed) return false;
		_completed = true;
		try
		{
			build(_response);
		}
		catch (HttpError& e)
		{
			_response.http().clear();  // headers set before the throw
			_response.sendError(e);
		}
		if (!_response.sent()) _response.sendNoContent();
		deliver = std::move(_deliver);
	}
	// Outside the lock: the core serialises and posts the answer. Before
	// deliverTo() the core takes the answer from there instead.
	if (deliver) deliver(_response);
	return true;
}

bool DeferredResponse::fail(const HttpError& error)
{
	return complete([&error](Response& response) { response.sendError(error); });
}

bool DeferredResponse::completed() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _completed;
}

void DeferredResponse::deliverTo(Delivery deliver)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_completed)
		{
			_deliver = std::move(deliver);
			return;
		}
	}
	deliver(_response);
}

} // namespace Palaver
