#include "ImagePoolSanitizer.h"
#include "ImageProcessor.h"
#include "palaver/HttpError.h"
#include "palaver/WorkerPool.h"
#include <Poco/Exception.h>
#include <chrono>
#include <exception>
#include <future>
#include <memory>

namespace Palaver {
namespace Attachments {

namespace {

HttpError busy(const std::string& field)
{
	return HttpError(503, "storage_unavailable", "too many images being processed, try again", field);
}

} // namespace

ImagePoolSanitizer::ImagePoolSanitizer(const ImageProcessor& images, WorkerPool& imagePool):
	_images(images),
	_imagePool(imagePool)
{
}

ImageSanitizer::Image ImagePoolSanitizer::sanitize(const std::string& data, int maxSide, const std::string& field)
{
	// Shared with the task: a caller that stopped waiting leaves it something to write to.
	auto copy = std::make_shared<const std::string>(data);
	auto answer = std::make_shared<std::promise<Image>>();
	std::future<Image> result = answer->get_future();
	const ImageProcessor& images = _images;
	if (!_imagePool.submit([copy, answer, maxSide, &images]
		{
			try
			{
				answer->set_value(images.sanitize(*copy, maxSide));
			}
			catch (...)
			{
				answer->set_exception(std::current_exception());
			}
		}))
		throw busy(field);
	// The queue's wait is bounded by the tasks before this one, each by the time limit.
	if (result.wait_for(std::chrono::milliseconds(2 * _images.limits().timeLimitMs + 60000)) != std::future_status::ready)
		throw busy(field);
	try
	{
		return result.get();
	}
	catch (HttpError& refused)
	{
		throw HttpError(refused.status(), refused.code(), refused.message(), field);
	}
}

} } // namespace Palaver::Attachments
