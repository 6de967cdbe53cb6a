//
// UploadForm.h
//
// multipart/form-data bodies of one file, as the attachments suites send them.
//

#ifndef Palaver_Testing_UploadForm_INCLUDED
#define Palaver_Testing_UploadForm_INCLUDED

#include <string>

namespace Palaver {
namespace Testing {

inline const char UPLOAD_BOUNDARY[] = "palaver-test-boundary-7MA4YWxkTrZu0gW";

/// A form whose one part, field, is a file; without its closing boundary unless closed.
inline std::string multipart(const std::string& fileName, const std::string& contentType, const std::string& bytes,
	bool closed = true, const std::string& field = "file")
{
	std::string body = "--" + std::string(UPLOAD_BOUNDARY) + "\r\n"
		"Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"\r\n"
		"Content-Type: " + contentType + "\r\n\r\n" + bytes + "\r\n";
	if (closed) body += "--" + std::string(UPLOAD_BOUNDARY) + "--\r\n";
	return body;
}

/// The Content-Type of a multipart() body.
inline std::string formType()
{
	return "multipart/form-data; boundary=" + std::string(UPLOAD_BOUNDARY);
}

} } // namespace Palaver::Testing

#endif
