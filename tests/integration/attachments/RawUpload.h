//
// RawUpload.h
//
// A POST /attachments on a raw connection, for bodies that HttpClient would
// send whole: the attachments suites send part of one, then wait.
//

#ifndef Palaver_Testing_RawUpload_INCLUDED
#define Palaver_Testing_RawUpload_INCLUDED

#include "UploadForm.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <string>

namespace Palaver {
namespace Testing {

struct RawUpload
{
	Poco::Net::StreamSocket socket;

	/// Connects and sends the head.
	RawUpload(Poco::UInt16 port, const std::string& token, Poco::UInt64 contentLength)
	{
		socket.connect(Poco::Net::SocketAddress("127.0.0.1", port));
		socket.setReceiveTimeout(Poco::Timespan(15, 0));
		send("POST /attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: " + formType() + "\r\nContent-Length: " + std::to_string(contentLength) + "\r\n\r\n");
	}

	void send(const std::string& bytes)
	{
		socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
	}

	/// The answer as far as it came until the connection ended, or its head
	/// was complete with headEnough (empty if it ended without one).
	std::string answer(bool headEnough)
	{
		std::string answer;
		char buffer[4096];
		while (!headEnough || answer.find("\r\n\r\n") == std::string::npos)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			answer.append(buffer, static_cast<std::size_t>(n));
		}
		return answer;
	}

	/// The status of the answer (0 if the connection ended without one).
	int status()
	{
		const std::string head = answer(true);
		return head.size() > 12 ? std::stoi(head.substr(9, 3)) : 0;
	}
};

} } // namespace Palaver::Testing

#endif
