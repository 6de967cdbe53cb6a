#include "ImageProcessor.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <chrono>
#include <memory>
#include <mutex>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vips/vips.h>

namespace Palaver {
namespace Attachments {

namespace {

struct Unref
{
	void operator()(VipsImage* image) const { if (image) g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

using Clock = std::chrono::steady_clock;

// libvips' last error on this call, cleared; for the log line of a refusal.
std::string takeError()
{
	char* text = vips_error_buffer_copy();
	std::string message = text ? text : "";
	g_free(text);
	while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
	return message;
}

HttpError invalidImage()
{
	return HttpError(400, "invalid_image", "the image is malformed or truncated", "file");
}

HttpError tooLarge(const std::string& message)
{
	return HttpError(413, "image_too_large", message, "file");
}

// The "eval" signal of the image being written: past the deadline, libvips
// is told to stop (the write then fails).
void onEval(VipsImage* image, VipsProgress*, void* deadline)
{
	if (Clock::now() > *static_cast<Clock::time_point*>(deadline)) vips_image_set_kill(image, TRUE);
}

// Image work runs at nice 10 (this thread only: Linux's setpriority takes a
// thread id), below the threads that deliver messages: on a busy machine the
// scheduler gives decoding what delivery leaves.
void lowerThreadPriority()
{
	thread_local bool lowered = false;
	if (lowered) return;
	setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
	lowered = true;
}

// The header only so far: refuse a bomb before decoding it.
void checkHeader(VipsImage* image, const ImageProcessor::Limits& limits)
{
	const int width = vips_image_get_width(image);
	const Poco::UInt64 pixels = Poco::UInt64(width) * Poco::UInt64(vips_image_get_height(image));
	if (width > limits.maxDimension || vips_image_get_page_height(image) > limits.maxDimension)
		throw tooLarge("the image is larger than " + std::to_string(limits.maxDimension) + " pixels on a side");
	if (pixels > limits.maxPixels)
		throw tooLarge("the image has more than " + std::to_string(limits.maxPixels) + " pixels");
}

// Writing image stops once deadline has passed (it must outlive the write).
void stopAt(VipsImage* image, Clock::time_point& deadline)
{
	vips_image_set_progress(image, TRUE);
	g_signal_connect(image, "eval", G_CALLBACK(onEval), &deadline);
}

// The refusal of a write that failed: stopped at the deadline, or bad bytes.
HttpError failure(const Clock::time_point& deadline)
{
	takeError();
	if (Clock::now() > deadline) return tooLarge("the image took too long to decode");
	return invalidImage();
}

struct FreeBuffer
{
	void operator()(void* buffer) const { g_free(buffer); }
};

ImagePtr load(const std::string& source, ImageType::Kind kind)
{
	VipsImage* image = nullptr;
	int failed = -1;
	const char* path = source.c_str();
	switch (kind)
	{
	case ImageType::Kind::Jpeg:
		failed = vips_jpegload(path, &image, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
		break;
	case ImageType::Kind::Png:
		failed = vips_pngload(path, &image, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
		break;
	case ImageType::Kind::WebP:
		failed = vips_webpload(path, &image, "n", -1, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
		break;
	case ImageType::Kind::Gif:
		failed = vips_gifload(path, &image, "n", -1, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
		break;
	case ImageType::Kind::None:
		break;
	}
	ImagePtr loaded(image);
	if (failed || !loaded)
	{
		takeError();
		throw invalidImage();
	}
	return loaded;
}

int save(VipsImage* image, ImageType::Kind kind, const std::string& target)
{
	const char* path = target.c_str();
	switch (kind)
	{
	case ImageType::Kind::Jpeg: return vips_jpegsave(image, path, "strip", TRUE, "Q", 90, nullptr);
	case ImageType::Kind::Png: return vips_pngsave(image, path, "strip", TRUE, nullptr);
	case ImageType::Kind::WebP: return vips_webpsave(image, path, "strip", TRUE, nullptr);
	case ImageType::Kind::Gif: return vips_gifsave(image, path, "strip", TRUE, nullptr);
	case ImageType::Kind::None: break;
	}
	return -1;
}

} // namespace

void ImageProcessor::startLibrary()
{
	static std::once_flag started;
	static bool ok = false;
	std::call_once(started, []
	{
		if (VIPS_INIT("palaverd") != 0) return;
		vips_cache_set_max(0);
		vips_concurrency_set(1);
		// Only the four formats we accept may be decoded, whatever the bytes say.
		vips_operation_block_set("VipsForeignLoad", TRUE);
		for (const char* loader: {"VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif"})
			vips_operation_block_set(loader, FALSE);
		ok = true;
	});
	if (!ok) throw Poco::RuntimeException("libvips cannot start: " + takeError());
}

ImageProcessor::ImageProcessor(const Limits& limits):
	_limits(limits)
{
}

ImageProcessor::Result ImageProcessor::process(const std::string& source, ImageType::Kind kind, const std::string& target,
	const std::string& thumbnailTarget) const
{
	lowerThreadPriority();
	Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(_limits.timeLimitMs);
	ImagePtr image = load(source, kind);

	checkHeader(image.get(), _limits);
	Result result;
	result.width = vips_image_get_width(image.get());
	result.height = vips_image_get_page_height(image.get());

	// The orientation lives in the EXIF block that is stripped: apply it first.
	int orientation = 1;
	if (vips_image_get_typeof(image.get(), VIPS_META_ORIENTATION) &&
		vips_image_get_int(image.get(), VIPS_META_ORIENTATION, &orientation) == 0 && orientation > 1 &&
		vips_image_get_n_pages(image.get()) == 1)
	{
		VipsImage* rotated = nullptr;
		if (vips_autorot(image.get(), &rotated, nullptr) != 0)
		{
			takeError();
			throw invalidImage();
		}
		image.reset(rotated);
		result.width = vips_image_get_width(image.get());
		result.height = vips_image_get_page_height(image.get());
	}

	stopAt(image.get(), deadline);
	if (save(image.get(), kind, target) != 0) throw failure(deadline);
	image.reset();

	// From our own stripped copy: shrink-on-load makes it cheap.
	VipsImage* thumbnail = nullptr;
	if (vips_thumbnail(target.c_str(), &thumbnail, _limits.thumbnailSize, "height", _limits.thumbnailSize,
		"size", VIPS_SIZE_DOWN, nullptr) != 0)
	{
		takeError();
		throw invalidImage();
	}
	ImagePtr small(thumbnail);
	const bool alpha = vips_image_hasalpha(small.get());
	const int failed = alpha
		? vips_pngsave(small.get(), thumbnailTarget.c_str(), "strip", TRUE, nullptr)
		: vips_jpegsave(small.get(), thumbnailTarget.c_str(), "strip", TRUE, "Q", 80, nullptr);
	if (failed != 0)
	{
		takeError();
		throw invalidImage();
	}
	result.thumbnailType = alpha ? "image/png" : "image/jpeg";
	return result;
}

ImageSanitizer::Image ImageProcessor::sanitize(const std::string& data, int maxSide) const
{
	lowerThreadPriority();
	Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(_limits.timeLimitMs);
	const ImageType::Kind kind = ImageType::sniff(data.data(), data.size());
	if (kind == ImageType::Kind::None) throw invalidImage();
	// Only the four unblocked loaders can answer; an animation gives its first frame.
	ImagePtr image(vips_image_new_from_buffer(data.data(), data.size(), "",
		"access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr));
	if (!image)
	{
		takeError();
		throw invalidImage();
	}
	checkHeader(image.get(), _limits);

	// vips_thumbnail_image applies the EXIF orientation before it is stripped.
	VipsImage* shrunk = nullptr;
	if (vips_thumbnail_image(image.get(), &shrunk, maxSide, "height", maxSide, "size", VIPS_SIZE_DOWN, nullptr) != 0)
	{
		takeError();
		throw invalidImage();
	}
	ImagePtr clean(shrunk);
	const bool png = kind == ImageType::Kind::Png || (kind != ImageType::Kind::Jpeg && vips_image_hasalpha(clean.get()));
	stopAt(clean.get(), deadline);
	void* buffer = nullptr;
	std::size_t size = 0;
	const int failed = png
		? vips_pngsave_buffer(clean.get(), &buffer, &size, "strip", TRUE, nullptr)
		: vips_jpegsave_buffer(clean.get(), &buffer, &size, "strip", TRUE, "Q", 90, nullptr);
	std::unique_ptr<void, FreeBuffer> written(buffer);
	if (failed != 0) throw failure(deadline);

	ImageSanitizer::Image result;
	result.data.assign(static_cast<const char*>(buffer), size);
	result.type = png ? "image/png" : "image/jpeg";
	result.width = vips_image_get_width(clean.get());
	result.height = vips_image_get_height(clean.get());
	return result;
}

} } // namespace Palaver::Attachments
