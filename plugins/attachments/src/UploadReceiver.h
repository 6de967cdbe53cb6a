//
// UploadReceiver.h
//

#ifndef Palaver_Attachments_UploadReceiver_INCLUDED
#define Palaver_Attachments_UploadReceiver_INCLUDED

#include "MultipartParser.h"
#include "palaver/BodyReceiver.h"
#include <Poco/Types.h>
#include <memory>
#include <string>

namespace Palaver {
namespace Attachments {

class TemporaryFile;
class Uploads;

/// The body of one POST /attachments, parsed as it streams in (BodyReceiver:
/// each call on a core worker, one at a time): the form's `file` part goes
/// straight to a temporary file in the store, counted against max_size and
/// what is left of the uploader's quota (413 as soon as either is passed);
/// other fields are skipped. finish() hands the complete file to Uploads.
/// Destroyed without finishing (refused, cut short, timed out), it deletes
/// the partial file.
class UploadReceiver: public BodyReceiver
{
public:
	struct Limits
	{
		Poco::UInt64 maxSize = 0;    /// [attachments] max_size
		Poco::UInt64 quotaLeft = 0;  /// the uploader's quota minus what they store
	};

	UploadReceiver(Uploads& uploads, Poco::Int64 ownerId, const std::string& boundary, const Limits& limits);
	~UploadReceiver() override;

	void receive(const char* data, std::size_t size) override;
	void finish(Response& response) override;

private:
	void onPart(const MultipartParser::PartHead& part);
	void onData(const char* data, std::size_t size);

	Uploads& _uploads;
	const Poco::Int64 _ownerId;
	const Limits _limits;
	MultipartParser _parser;
	std::unique_ptr<TemporaryFile> _file;
	bool _inFile = false;      /// the current part is the file
	std::string _name;         /// the file's name as sent
	std::string _start;        /// its first bytes, to sniff its type
	Poco::UInt64 _size = 0;
};

} } // namespace Palaver::Attachments

#endif
