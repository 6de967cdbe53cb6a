-- The search scenario's messages (bench/run.sh fill_search): :count messages
-- between random pairs of users 1..:users, each of six words of the
-- vocabulary of bench/src/SearchScenario.cpp (word k: syllables k/400,
-- (k/20)%20 and k%20; k = r1 % (1 + r2 % 8000), so low k are frequent),
-- written straight into palaverd's database in one transaction; palaverd's
-- search indexer then indexes them as it would the writer's batches.
PRAGMA busy_timeout = 30000;
PRAGMA cache_size = -262144;
CREATE TEMP TABLE syllables (i INTEGER PRIMARY KEY, s TEXT NOT NULL);
INSERT INTO syllables (i, s) VALUES (0, 'ca'), (1, 'me'), (2, 'lo'), (3, 'su'), (4, 'ti'), (5, 'ra'), (6, 'ne'), (7, 'po'),
	(8, 'la'), (9, 'vi'), (10, 'de'), (11, 'ma'), (12, 'to'), (13, 'se'), (14, 'ri'), (15, 'ba'), (16, 'go'), (17, 'fe'),
	(18, 'nu'), (19, 'ción');
CREATE TEMP TABLE vocabulary (k INTEGER PRIMARY KEY, w TEXT NOT NULL);
INSERT INTO vocabulary (k, w) SELECT a.i * 400 + b.i * 20 + c.i, a.s || b.s || c.s FROM syllables a, syllables b, syllables c;
BEGIN IMMEDIATE;
-- MATERIALIZED: each random() is drawn once per message, not per reference.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count),
	pairs(i, f, o) AS MATERIALIZED (SELECT i, abs(random()) % :users, 1 + abs(random()) % (:users - 1) FROM n),
	m(i, f, t) AS (SELECT i, f + 1, (f + o) % :users + 1 FROM pairs)
INSERT INTO messages (from_user_id, to_user_id, user_lo, user_hi, from_user_name, text, created_at)
SELECT f, t, min(f, t), max(f, t), 'bench' || f,
	(SELECT group_concat(w, ' ') FROM (SELECT w FROM vocabulary WHERE k IN (
		abs(random()) % (1 + abs(random()) % 8000), abs(random()) % (1 + abs(random()) % 8000),
		abs(random()) % (1 + abs(random()) % 8000), abs(random()) % (1 + abs(random()) % 8000),
		abs(random()) % (1 + abs(random()) % 8000), abs(random()) % (1 + abs(random()) % 8000)) AND m.i > 0)),
	1796000000000000 + i * 1000
FROM m;
COMMIT;
