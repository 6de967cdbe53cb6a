//
// MakePhoto.cpp
//
// palaver-bench-photo FILE [BYTES]: writes a JPEG of about BYTES (default
// 1 MiB) for the upload scenarios: a colour gradient with grain, as a camera
// photo is (smooth areas and noise), 4:3, at JPEG quality 90; its size is
// reached by scaling the picture until the file is within 3% of BYTES.
// libvips, as palaverd's attachments plugin; palaver-bench itself stays free
// of dependencies.
//

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vips/vips.h>

namespace {

struct Unref
{
	void operator()(VipsImage* image) const { if (image) g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

[[noreturn]] void fail(const char* what)
{
	std::fprintf(stderr, "palaver-bench-photo: %s: %s\n", what, vips_error_buffer());
	std::exit(1);
}

ImagePtr checked(VipsImage* image, int status, const char* what)
{
	if (status != 0) fail(what);
	return ImagePtr(image);
}

// Grain (sigma 24 around mid-grey) plus a gradient along x scaled by slope.
ImagePtr band(int width, int height, double slope)
{
	VipsImage* out = nullptr;
	ImagePtr noise = checked(out, vips_gaussnoise(&out, width, height, "sigma", 24.0, "mean", 96.0, nullptr), "noise");
	ImagePtr xy = checked(out, vips_xyz(&out, width, height, nullptr), "xyz");
	ImagePtr x = checked(out, vips_extract_band(xy.get(), &out, 0, nullptr), "band");
	ImagePtr ramp = checked(out, vips_linear1(x.get(), &out, slope * 128.0 / width, 0.0, nullptr), "ramp");
	return checked(out, vips_add(noise.get(), ramp.get(), &out, nullptr), "add");
}

std::string encode(int width, int height)
{
	ImagePtr r = band(width, height, 1.0), g = band(width, height, 0.5), b = band(width, height, 0.2);
	VipsImage* out = nullptr;
	VipsImage* bands[] = {r.get(), g.get(), b.get()};
	ImagePtr rgb = checked(out, vips_bandjoin(bands, &out, 3, nullptr), "bandjoin");
	ImagePtr bytes = checked(out, vips_cast_uchar(rgb.get(), &out, nullptr), "cast");
	ImagePtr srgb = checked(out, vips_copy(bytes.get(), &out, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), "copy");
	void* buffer = nullptr;
	std::size_t size = 0;
	if (vips_jpegsave_buffer(srgb.get(), &buffer, &size, "Q", 90, nullptr) != 0) fail("jpegsave");
	std::string data(static_cast<const char*>(buffer), size);
	g_free(buffer);
	return data;
}

} // namespace

int main(int argc, char** argv)
{
	if (argc < 2 || argc > 3)
	{
		std::fprintf(stderr, "usage: palaver-bench-photo FILE [BYTES]\n");
		return 2;
	}
	const double target = argc == 3 ? std::atof(argv[2]) : 1048576.0;
	if (target < 10000) { std::fprintf(stderr, "palaver-bench-photo: BYTES must be at least 10000\n"); return 2; }
	if (VIPS_INIT(argv[0]) != 0) fail("start");
	int width = 1024;
	std::string photo = encode(width, width * 3 / 4);
	for (int i = 0; i < 8 && std::fabs(static_cast<double>(photo.size()) - target) > 0.03 * target; ++i)
	{
		width = std::max(64, static_cast<int>(std::lround(width * std::sqrt(target / static_cast<double>(photo.size())))));
		photo = encode(width, width * 3 / 4);
	}
	FILE* file = std::fopen(argv[1], "wb");
	if (!file || std::fwrite(photo.data(), 1, photo.size(), file) != photo.size() || std::fclose(file) != 0)
	{
		std::fprintf(stderr, "palaver-bench-photo: cannot write %s\n", argv[1]);
		return 1;
	}
	std::printf("%s: %dx%d JPEG, %zu bytes\n", argv[1], width, width * 3 / 4, photo.size());
	vips_shutdown();
	return 0;
}
