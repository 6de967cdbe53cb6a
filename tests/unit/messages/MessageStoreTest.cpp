// MessageRepository and MessageService on a real SQLite database (the core's
// DatabaseImpl): batch inserts, conversations, paging, replay, validation,
// rollback of failed batches.
#include "GroupCommitWriter.h"
#include "MessageRepository.h"
#include "MessageService.h"
#include "ClusterServices.h"
#include "DatabaseImpl.h"
#include "palaver/HttpError.h"
#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Timestamp.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>
#include "palaver/Counter.h"
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

using namespace Poco::Data::Keywords;
using Palaver::HttpError;
using Palaver::Message;
using Palaver::MessageArrayStream;
using Palaver::User;
using Palaver::Messages::GroupCommitWriter;
using Palaver::Messages::MessageRepository;
using Palaver::Messages::MessageService;
using Palaver::Messages::ReadCursors;
using Palaver::Messages::TextRules;

class MessageStoreTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageStoreTest);
	CPPUNIT_TEST(testMigrateTwiceIsHarmless);
	CPPUNIT_TEST(testBatchInsertGivesRisingIdsAndKeepsFields);
	CPPUNIT_TEST(testConversationBothDirectionsOnly);
	CPPUNIT_TEST(testPaging);
	CPPUNIT_TEST(testWholeHistoryInPages);
	CPPUNIT_TEST(testMessagesToOneself);
	CPPUNIT_TEST(testSince);
	CPPUNIT_TEST(testFailedBatchLeavesNothingAndNoOpenTransaction);
	CPPUNIT_TEST(testChatListFromPartners);
	CPPUNIT_TEST(testUpgradeFromRelease050KeepsMessagesAndChats);
	CPPUNIT_TEST(testServiceValidatesAndStores);
	CPPUNIT_TEST(testServiceCachesKnownUsers);
	CPPUNIT_TEST(testServiceConcurrentPosts);
	CPPUNIT_TEST(testServicePostAsync);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp()
	{
		_dir.reset(new Poco::TemporaryFile);
		Poco::File(_dir->path()).createDirectories();
		Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
		// PALAVER_TEST_POSTGRESQL_FILE: the same tests on PostgreSQL, on a fresh database.
		_postgreSQL = Palaver::Testing::ClusterServices::postgreSQLOverride();
		if (_postgreSQL.empty())
		{
			config->setString("database.connector", "sqlite");
			config->setString("database.connection", _dir->path() + "/palaver.db");
			config->setString("database.synchronous", "NORMAL");
		}
		else
		{
			Palaver::Testing::ClusterServices::dropDatabase(_postgreSQL, PG_DATABASE);
			config->setString("database.connector", "postgresql");
			config->setString("database.connection", Palaver::Testing::ClusterServices::createDatabase(_postgreSQL, PG_DATABASE));
		}
		_database.reset(new Palaver::Server::DatabaseImpl(*config, logger()));
		_repository.reset(new MessageRepository(*_database, logger()));
		_repository->migrate();
	}

	void tearDown()
	{
		_repository.reset();
		_database.reset();
		_dir.reset();
		if (!_postgreSQL.empty()) Palaver::Testing::ClusterServices::dropDatabase(_postgreSQL, PG_DATABASE);
	}

	void testMigrateTwiceIsHarmless()
	{
		_repository->migrate();
		insertAll({message(1, 2, "a")});
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), _repository->conversation(1, 2, 0, 0).size());
	}

	void testBatchInsertGivesRisingIdsAndKeepsFields()
	{
		std::vector<Message> batch;
		for (int i = 0; i < 100; ++i)
			batch.push_back(message(1 + i % 2, 2 - i % 2, "m" + std::to_string(i) + " \xC3\xA9"));
		batch[0].timestamp = 1674000000123456LL;
		insert(batch);
		for (std::size_t i = 1; i < batch.size(); ++i)
			CPPUNIT_ASSERT_EQUAL(batch[i - 1].id + 1, batch[i].id);
		// The texts were lent to the statement, not lost.
		CPPUNIT_ASSERT_EQUAL(std::string("m99 \xC3\xA9"), batch[99].text);
		CPPUNIT_ASSERT_EQUAL(std::string("user2"), batch[1].fromUserName);

		const auto read = _repository->conversation(2, 1, 0, 0);
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), read.size());
		CPPUNIT_ASSERT_EQUAL(batch[0].id, read[0].id);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), read[0].fromUserId);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), read[0].toUserId);
		CPPUNIT_ASSERT_EQUAL(std::string("user1"), read[0].fromUserName);
		CPPUNIT_ASSERT_EQUAL(std::string("m0 \xC3\xA9"), read[0].text);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1674000000123456LL), read[0].timestamp);
		CPPUNIT_ASSERT_EQUAL(std::string("2023-01-18 00:00:00.123456"),
			read[0].toJson()->getObject("timestamp")->getValue<std::string>("date"));
	}

	void testConversationBothDirectionsOnly()
	{
		insertAll({message(1, 2, "a->b"), message(2, 1, "b->a"), message(3, 2, "c->b"), message(1, 3, "a->c"), message(2, 3, "b->c")});
		auto ab = texts(_repository->conversation(1, 2, 0, 0));
		CPPUNIT_ASSERT_EQUAL(std::string("a->b|b->a"), ab);
		CPPUNIT_ASSERT_EQUAL(ab, texts(_repository->conversation(2, 1, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("c->b|b->c"), texts(_repository->conversation(3, 2, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("a->c"), texts(_repository->conversation(3, 1, 0, 0)));
		CPPUNIT_ASSERT(_repository->conversation(1, 4, 0, 0).empty());
	}

	void testPaging()
	{
		std::vector<Message> batch;
		for (int i = 0; i < 25; ++i)
			batch.push_back(message(i % 2 ? 1 : 2, i % 2 ? 2 : 1, std::to_string(i)));
		batch.push_back(message(1, 3, "other"));
		insert(batch);

		// The newest page, oldest first.
		auto page = _repository->conversation(1, 2, 0, 10);
		CPPUNIT_ASSERT_EQUAL(std::string("15|16|17|18|19|20|21|22|23|24"), texts(page));
		// Walk back with before = the oldest id seen, until nothing is left.
		std::vector<std::string> all;
		Poco::Int64 before = 0;
		for (int round = 0; round < 10; ++round)
		{
			page = _repository->conversation(1, 2, before, 10);
			if (page.empty()) break;
			for (std::size_t i = 1; i < page.size(); ++i)
				CPPUNIT_ASSERT(page[i - 1].id < page[i].id);
			CPPUNIT_ASSERT(before == 0 || page.back().id < before);
			for (auto it = page.rbegin(); it != page.rend(); ++it)
				all.push_back(it->text);
			before = page.front().id;
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(25), all.size());
		for (int i = 0; i < 25; ++i)
			CPPUNIT_ASSERT_EQUAL(std::to_string(24 - i), all[i]);
		// before without limit: everything older.
		CPPUNIT_ASSERT_EQUAL(std::string("0|1|2"), texts(_repository->conversation(1, 2, batch[3].id, 0)));
		CPPUNIT_ASSERT(_repository->conversation(1, 2, batch[0].id, 10).empty());
	}

	/// Issue 15: a history longer than a page comes whole, in order, read
	/// MessageService::HISTORY_PAGE rows at a time; before still applies.
	void testWholeHistoryInPages()
	{
		const std::size_t count = 2 * MessageService::HISTORY_PAGE + 345;
		// In batches of 100 (a multi-row INSERT stays small), each with a message of another conversation.
		std::vector<Message> all;
		for (std::size_t start = 0; start < count; start += 100)
		{
			std::vector<Message> batch;
			for (std::size_t i = start; i < count && i < start + 100; ++i)
				batch.push_back(message(i % 2 ? 1 : 2, i % 2 ? 2 : 1, std::to_string(i)));
			batch.push_back(message(1, 3, "other"));
			insert(batch);
			all.insert(all.end(), batch.begin(), batch.end() - 1);
		}
		GroupCommitWriter writer(storeOf(), [](const Message&) {}, GroupCommitWriter::Options(), logger(), GroupCommitWriter::Metrics());
		ReadCursors cursors(*_database, logger());
		MessageService service(*_repository, cursors, writer, [](Poco::Int64) { return true; }, TextRules(10), 100);

		// Streamed a page a part: the bytes of the array written at once.
		std::size_t parts = 0;
		const std::string whole = drain(*service.conversationStream(2, 1, 0), parts);
		CPPUNIT_ASSERT_EQUAL(count / MessageService::HISTORY_PAGE + 1, parts);
		CPPUNIT_ASSERT_EQUAL(Message::arrayJsonText(_repository->conversation(1, 2, 0, 0)), whole);
		Poco::JSON::Array::Ptr history = Poco::JSON::Parser().parse(whole).extract<Poco::JSON::Array::Ptr>();
		CPPUNIT_ASSERT_EQUAL(count, history->size());
		for (std::size_t i = 0; i < count; ++i)
			CPPUNIT_ASSERT_EQUAL(std::to_string(i), history->getObject(static_cast<unsigned>(i))->getValue<std::string>("text"));
		const std::size_t below = MessageService::HISTORY_PAGE + 100;
		const std::string older = drain(*service.conversationStream(1, 2, all[below].id), parts);
		CPPUNIT_ASSERT_EQUAL(below, Poco::JSON::Parser().parse(older).extract<Poco::JSON::Array::Ptr>()->size());
		const std::shared_ptr<MessageArrayStream> none = service.conversationStream(1, 4, 0);
		CPPUNIT_ASSERT(none->empty());
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), drain(*none, parts));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), parts);
		// A history of exactly one page ends with a part that only closes the array.
		CPPUNIT_ASSERT(!service.conversationStream(1, 2, 0)->empty());
		const std::string onePage = drain(*service.conversationStream(1, 2, all[MessageService::HISTORY_PAGE].id), parts);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), parts);
		CPPUNIT_ASSERT_EQUAL(MessageService::HISTORY_PAGE, Poco::JSON::Parser().parse(onePage).extract<Poco::JSON::Array::Ptr>()->size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), Poco::JSON::Parser().parse(service.conversationJson(1, 2, 0, 3)).extract<Poco::JSON::Array::Ptr>()->size());
	}

	/// The whole stream as one string; parts: how many next() calls made it.
	static std::string drain(MessageArrayStream& stream, std::size_t& parts)
	{
		std::string all;
		parts = 0;
		bool more = true;
		while (more && parts < 1000)
		{
			std::string part;
			more = stream.next(part);
			all += part;
			++parts;
		}
		return all;
	}

	void testMessagesToOneself()
	{
		insertAll({message(1, 1, "note to self"), message(1, 2, "a->b")});
		CPPUNIT_ASSERT_EQUAL(std::string("note to self"), texts(_repository->conversation(1, 1, 0, 0)));
		// Replay holds it once, not once as sent and once as received.
		CPPUNIT_ASSERT_EQUAL(std::string("note to self|a->b"), texts(_repository->since(1, 0, 100)));
	}

	void testSince()
	{
		std::vector<Message> batch;
		for (int i = 0; i < 30; ++i)
			batch.push_back(message(1 + i % 3, 1 + (i + 1) % 3, std::to_string(i)));  // 1->2, 2->3, 3->1, ...
		insert(batch);
		auto mine = _repository->since(1, 0, 1000);
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), mine.size());
		for (std::size_t i = 1; i < mine.size(); ++i)
			CPPUNIT_ASSERT(mine[i - 1].id < mine[i].id);
		for (const auto& m: mine)
			CPPUNIT_ASSERT(m.fromUserId == 1 || m.toUserId == 1);
		auto after = _repository->since(1, batch[20].id, 1000);
		CPPUNIT_ASSERT_EQUAL(std::string("21|23|24|26|27|29"), texts(after));
		CPPUNIT_ASSERT_EQUAL(std::string("21|23"), texts(_repository->since(1, batch[20].id, 2)));
		CPPUNIT_ASSERT(_repository->since(1, batch[29].id, 10).empty());
	}

	void testFailedBatchLeavesNothingAndNoOpenTransaction()
	{
		{
			// A row that the database refuses, in the middle of a batch.
			Poco::Data::Session session = _database->session();
			if (_postgreSQL.empty())
				session << "CREATE TRIGGER refuse_boom BEFORE INSERT ON messages WHEN NEW.text = 'boom' "
					"BEGIN SELECT RAISE(ABORT, 'boom refused'); END", now;
			else
				session << "ALTER TABLE messages ADD CONSTRAINT refuse_boom CHECK (text <> 'boom')", now;
		}
		std::vector<Message> batch{message(1, 2, "fine"), message(1, 2, "boom"), message(1, 2, "also fine")};
		std::vector<Message*> pointers{&batch[0], &batch[1], &batch[2]};
		CPPUNIT_ASSERT_THROW(_repository->insert(pointers), Poco::Exception);
		CPPUNIT_ASSERT_EQUAL(std::string("fine"), batch[0].text);  // given back on failure too
		CPPUNIT_ASSERT(_repository->conversation(1, 2, 0, 0).empty());
		// Every pooled session is usable: none was left inside a transaction.
		for (int i = 0; i < 20; ++i)
			insertAll({message(1, 2, "after " + std::to_string(i))});
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), _repository->conversation(1, 2, 0, 0).size());
	}

	void testServiceValidatesAndStores()
	{
		std::vector<Poco::Int64> published;
		GroupCommitWriter writer(storeOf(), [&](const Message& m) { published.push_back(m.id); },
			GroupCommitWriter::Options(), logger(), GroupCommitWriter::Metrics());
		ReadCursors cursors(*_database, logger());
		MessageService service(*_repository, cursors, writer, [](Poco::Int64 id) { return id <= 3; }, TextRules(10), 100);
		writer.start();
		User pepe;
		pepe.id = 2;
		pepe.userName = "Pepe";

		Message m = service.post(pepe, 1, "hola");
		CPPUNIT_ASSERT(m.id > 0);
		CPPUNIT_ASSERT_EQUAL(std::string("Pepe"), m.fromUserName);
		assertStatus(400, [&] { service.post(pepe, 1, ""); });
		assertStatus(400, [&] { service.post(pepe, 1, "   "); });
		assertStatus(400, [&] { service.post(pepe, 1, std::string(11, 'x')); });
		assertStatus(400, [&] { service.post(pepe, 1, "bad \xFF"); });
		assertStatus(404, [&] { service.post(pepe, 4, "nobody"); });
		assertStatus(404, [&] { service.post(pepe, 0, "nobody"); });
		assertStatus(404, [&] { service.post(pepe, -1, "nobody"); });
		User nobody;
		assertStatus(401, [&] { service.post(nobody, 1, "who?"); });
		service.post(pepe, 2, "to myself");
		writer.stop();

		CPPUNIT_ASSERT_EQUAL(std::size_t(2), published.size());
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), texts(_repository->conversation(1, 2, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("hola|to myself"), texts(service.since(2, 0, 10)));
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), texts(service.since(1, 0, 10)));
	}

	void testServiceCachesKnownUsers()
	{
		std::atomic<int> lookups{0};
		GroupCommitWriter writer(storeOf(), nullptr, GroupCommitWriter::Options(), logger(), GroupCommitWriter::Metrics());
		ReadCursors cursors(*_database, logger());
		MessageService service(*_repository, cursors, writer, [&](Poco::Int64 id) { ++lookups; return id == 1; }, TextRules(), 100);
		writer.start();
		User pepe;
		pepe.id = 2;
		pepe.userName = "Pepe";
		for (int i = 0; i < 5; ++i) service.post(pepe, 1, "hola");
		CPPUNIT_ASSERT_EQUAL(1, lookups.load());
		for (int i = 0; i < 3; ++i) assertStatus(404, [&] { service.post(pepe, 7, "x"); });
		CPPUNIT_ASSERT_EQUAL(4, lookups.load());  // unknown ids are never cached
		writer.stop();
	}

	void testServiceConcurrentPosts()
	{
		std::mutex mutex;
		std::vector<Poco::Int64> published;
		GroupCommitWriter writer(storeOf(), [&](const Message& m) { std::lock_guard<std::mutex> lock(mutex); published.push_back(m.id); },
			GroupCommitWriter::Options(), logger(), GroupCommitWriter::Metrics());
		ReadCursors cursors(*_database, logger());
		MessageService service(*_repository, cursors, writer, [](Poco::Int64 id) { return true; }, TextRules(), 100);
		writer.start();
		const int threads = 8;
		const int perThread = 300;
		std::atomic<int> errors{0};
		std::vector<std::thread> workers;
		for (int t = 0; t < threads; ++t)
		{
			workers.emplace_back([&, t]
			{
				User user;
				user.id = t + 1;
				user.userName = "u" + std::to_string(t + 1);
				for (int i = 0; i < perThread; ++i)
				{
					try { service.post(user, 100, std::to_string(i)); } catch (...) { ++errors; }
				}
			});
		}
		for (auto& worker: workers) worker.join();
		writer.stop();
		CPPUNIT_ASSERT_EQUAL(0, errors.load());
		std::set<Poco::Int64> ids(published.begin(), published.end());
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), published.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), ids.size());
		std::size_t total = 0;
		for (int t = 0; t < threads; ++t)
			total += _repository->conversation(t + 1, 100, 0, 0).size();
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), total);
	}

	void testServicePostAsync()
	{
		std::mutex mutex;
		std::condition_variable changed;
		std::vector<Poco::Int64> published;
		std::vector<std::string> answers;  // "id:N:seen" or "error:status"
		Palaver::Counter batches;
		GroupCommitWriter::Metrics metrics;
		metrics.batches = &batches;
		GroupCommitWriter writer(storeOf(), [&](const Message& m) { std::lock_guard<std::mutex> lock(mutex); published.push_back(m.id); },
			GroupCommitWriter::Options(), logger(), metrics);
		ReadCursors cursors(*_database, logger());
		MessageService service(*_repository, cursors, writer, [](Poco::Int64 id) { return id <= 3; }, TextRules(10), 100);
		writer.start();
		User pepe;
		pepe.id = 2;
		pepe.userName = "Pepe";
		auto done = [&](const Message* stored, const HttpError* error)
		{
			std::string answer;
			if (stored)
			{
				// Committed: a reader on another connection already sees it.
				const bool seen = !service.since(2, stored->id - 1, 1).empty();
				answer = "id:" + std::to_string(stored->id) + (seen ? ":seen" : ":unseen");
			}
			else
			{
				answer = "error:" + std::to_string(error ? error->status() : 0);
			}
			std::lock_guard<std::mutex> lock(mutex);
			answers.push_back(answer);
			changed.notify_all();
		};

		// What is known before queuing is thrown at once, without a callback.
		assertStatus(400, [&] { service.postAsync(pepe, 1, "", done); });
		assertStatus(400, [&] { service.postAsync(pepe, 1, std::string(11, 'x'), done); });
		assertStatus(404, [&] { service.postAsync(pepe, 4, "nobody", done); });
		User nobody;
		assertStatus(401, [&] { service.postAsync(nobody, 1, "who?", done); });

		const int count = 200;
		for (int i = 0; i < count; ++i)
			service.postAsync(pepe, 1, std::to_string(i), done);
		{
			std::unique_lock<std::mutex> lock(mutex);
			CPPUNIT_ASSERT(changed.wait_for(lock, std::chrono::seconds(30), [&] { return answers.size() >= count; }));
		}
		writer.stop();

		CPPUNIT_ASSERT_EQUAL(std::size_t(count), answers.size());  // once each, no callback for the refused
		std::set<std::string> distinct(answers.begin(), answers.end());
		CPPUNIT_ASSERT_EQUAL(std::size_t(count), distinct.size());
		for (const std::string& answer: answers)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("id:"), answer.substr(0, 3));
			CPPUNIT_ASSERT_EQUAL(std::string(":seen"), answer.substr(answer.size() - 5));
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(count), published.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(count), _repository->conversation(1, 2, 0, 0).size());
		// Nobody waited per message: far fewer transactions than messages.
		CPPUNIT_ASSERT(batches.value() < std::uint64_t(count / 4));
	}

	/// Issue 14: the chat list comes from chat_partners, which the writer
	/// fills in the batch's transaction; the partners of a batch that failed
	/// are not taken for stored: a later message of the chat adds them.
	void testChatListFromPartners()
	{
		{
			Poco::Data::Session session = _database->session();
			if (_postgreSQL.empty())
				session << "CREATE TRIGGER refuse_five BEFORE INSERT ON chat_partners WHEN NEW.partner_id = 5 "
					"BEGIN SELECT RAISE(ABORT, 'five refused'); END", now;
			else
				session << "ALTER TABLE chat_partners ADD CONSTRAINT refuse_five CHECK (partner_id <> 5)", now;
		}
		std::vector<Message> failed{message(1, 4, "lost"), message(1, 5, "refused")};
		std::vector<Message*> pointers{&failed[0], &failed[1]};
		CPPUNIT_ASSERT_THROW(_repository->insert(pointers), Poco::Exception);
		CPPUNIT_ASSERT(_repository->directChats(4).empty());
		CPPUNIT_ASSERT(_repository->conversation(1, 4, 0, 0).empty());

		insertAll({message(1, 2, "a"), message(2, 1, "b"), message(3, 1, "c"), message(1, 1, "self"), message(4, 1, "d")});
		insertAll({message(2, 1, "e")});
		Message toGroup = message(1, 0, "group");
		toGroup.groupId = 7;
		insertAll({toGroup});
		const std::vector<Message> ab = _repository->conversation(1, 2, 0, 0);
		CPPUNIT_ASSERT_EQUAL(std::string("a|b|e"), texts(ab));
		CPPUNIT_ASSERT_EQUAL(std::string("1:self 2:e 3:c 4:d"), chats(1));
		CPPUNIT_ASSERT_EQUAL(std::string("1:e"), chats(2));
		CPPUNIT_ASSERT_EQUAL(std::string("1:d"), chats(4));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), _repository->unreadFrom(1, {{2, 0}}).at(2));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), _repository->unreadFrom(1, {{2, ab[1].id}}).at(2));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), _repository->unreadFrom(2, {{1, 0}}).at(1));
	}

	/// A database of release 0.5.0 (the schema's first five steps, the rows
	/// as its writer stored them) keeps every message and the same chat list
	/// and unread counts after the upgrade; new chats are listed after it.
	void testUpgradeFromRelease050KeepsMessagesAndChats()
	{
		_database->transact([](Poco::Data::Session& session)
		{
			session << "DROP TABLE chat_partners", now;
			session << "DROP TABLE messages", now;
			session << "DELETE FROM schema_versions WHERE component = 'messages'", now;
		});
		std::vector<std::vector<std::string>> release050 = MessageRepository::schema(*_database);
		release050.resize(5);
		_database->migrate("messages", release050);
		_database->transact([](Poco::Data::Session& session)
		{
			// (from, to, group): a chat 1-2 both ways, 3 -> 1, oneself, a group's.
			const Poco::Int64 rows[][3] = {{1, 2, 0}, {2, 1, 0}, {3, 1, 0}, {1, 2, 0}, {2, 2, 0}, {1, 0, 9}, {3, 1, 0}};
			for (const auto& row: rows)
			{
				Poco::Int64 from = row[0], to = row[1], group = row[2];
				Poco::Int64 lo = group ? 0 : std::min(from, to), hi = group ? 0 : std::max(from, to);
				std::string text = std::to_string(from) + ">" + std::to_string(group ? group : to);
				session << "INSERT INTO messages (from_user_id, to_user_id, group_id, user_lo, user_hi, from_user_name, text, created_at) "
					"VALUES (" + std::to_string(from) + ", " + std::to_string(to) + ", " + std::to_string(group) + ", " +
					std::to_string(lo) + ", " + std::to_string(hi) + ", 'old', '" + text + "', 1)", now;
			}
		});

		_repository.reset(new MessageRepository(*_database, logger()));
		_repository->migrate();
		CPPUNIT_ASSERT_EQUAL(std::string("1>2|2>1|1>2"), texts(_repository->conversation(1, 2, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("3>1|3>1"), texts(_repository->conversation(3, 1, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("2>2"), texts(_repository->conversation(2, 2, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("1>9"), texts(_repository->groupMessages(9, 0, 0, 0)));
		CPPUNIT_ASSERT_EQUAL(std::string("2:1>2 3:3>1"), chats(1));
		CPPUNIT_ASSERT_EQUAL(std::string("1:1>2 2:2>2"), chats(2));
		CPPUNIT_ASSERT_EQUAL(std::string("1:3>1"), chats(3));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), _repository->unreadFrom(1, {{3, 0}}).at(3));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), _repository->unreadFrom(2, {{1, 0}}).at(1));

		insertAll({message(4, 1, "new chat"), message(2, 1, "old chat")});
		CPPUNIT_ASSERT_EQUAL(std::string("2:old chat 3:3>1 4:new chat"), chats(1));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), _repository->unreadFrom(1, {{2, 0}}).at(2));
	}

private:
	static Poco::Logger& logger()
	{
		return Poco::Logger::get("test.messages.store");
	}

	GroupCommitWriter::StoreBatch storeOf()
	{
		return [this](std::vector<Message*>& batch) { _repository->insert(batch); };
	}

	static Message message(Poco::Int64 from, Poco::Int64 to, const std::string& text)
	{
		Message m;
		m.fromUserId = from;
		m.toUserId = to;
		m.text = text;
		m.fromUserName = "user" + std::to_string(from);
		m.timestamp = Poco::Timestamp().epochMicroseconds();
		return m;
	}

	void insertAll(std::vector<Message> batch)
	{
		insert(batch);
	}

	void insert(std::vector<Message>& batch)
	{
		std::vector<Message*> pointers;
		for (auto& m: batch) pointers.push_back(&m);
		_repository->insert(pointers);
	}

	/// directChats(userId) as "partner:text of the chat's last message ...", by partner.
	std::string chats(Poco::Int64 userId)
	{
		std::vector<std::pair<Poco::Int64, Poco::Int64>> list = _repository->directChats(userId);
		std::sort(list.begin(), list.end());
		std::string result;
		for (const auto& chat: list)
		{
			const std::vector<Message> last = _repository->byIds({chat.second});
			result += (result.empty() ? "" : " ") + std::to_string(chat.first) + ":" + (last.empty() ? "?" : last.front().text);
		}
		return result;
	}

	static std::string texts(const std::vector<Message>& messages)
	{
		std::string result;
		for (const auto& m: messages)
		{
			if (!result.empty()) result += "|";
			result += m.text;
		}
		return result;
	}

	template <class F>
	static void assertStatus(int status, F f)
	{
		try
		{
			f();
			CPPUNIT_FAIL("expected HttpError " + std::to_string(status));
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(status, e.status());
		}
	}

	static constexpr const char* PG_DATABASE = "palaver_messages_store_test";

	std::string _postgreSQL;
	std::unique_ptr<Poco::TemporaryFile> _dir;
	std::unique_ptr<Palaver::Server::DatabaseImpl> _database;
	std::unique_ptr<MessageRepository> _repository;
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageStoreTest);
