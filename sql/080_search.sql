-- 080_search.sql -- substring indexes for the name filters (API.md
-- section 1: case-insensitive substrings), so that a filter of 3 or more
-- characters reads an index range instead of every row.
--
-- Each indexed text is cut into windows: from every character that has at
-- least 3 characters after it (itself included), the next 16 characters
-- (fewer at the end).  A search text x of 3 or more characters occurs in
-- the text exactly when some window starts with x's first 16 characters,
-- so `k LIKE 'x16%'` is a range of the index that holds every match; the
-- filter's own LIKE on the row stays as the final check (it decides for x
-- longer than 16 characters and keeps the results exactly the scan's).
--
-- The windows are compared the way the filter compares the text, so that
-- no fold is written twice: search_bin holds bytes of what the filter
-- matches with a binary collation (hosts.name_fold, LOWER(address));
-- search_ci holds the text itself in utf8mb4_unicode_nopad_ci, whose LIKE
-- is unicode_ci's (no padding, so windows differing only in trailing
-- spaces stay distinct).  field says which text a row indexes:
--   search_bin: 1 hosts.name_fold, 2 host_addresses.address (id is the
--               address's; the host is the address row's host_id)
--   search_ci:  1 applications.name, 2 applications.full_name's own
--               segment (see below), 3 users.username, 4 users.name,
--               5 users.email
-- rpos is the window's start counted from the end of the text (3 for the
-- last three characters), so a change that keeps the end of a text (a
-- rename that keeps a domain) leaves the windows of the common end alone.
--
-- full_name is parent.full_name '.' name: a subtree move or a rename
-- rewrites the front of every full name below, so its windows are those
-- of each application's own segment only (".name", or "name" for a root),
-- which no move of an ancestor changes.  A match of x in a full name
-- starts in the segment of some ancestor-or-self A and, when it reaches
-- past A's segment, crosses a '.'; the list (app_lists.c) takes the
-- applications whose segment windows start with x or with x from one of
-- its characters that may stand for the '.' (a '.', or any character
-- outside ASCII: the collation equates some with it), and their subtrees,
-- and lets the LIKE decide.
--
-- Triggers keep the windows in the writing statement's transaction, so
-- every writer (hangard, the agent, hangarctl, a seed) is covered; each is
-- one set-based statement per changed text over search_pos (1..1024, the
-- longest indexed text), with no stored procedure and no loop: an insert
-- writes the windows, a delete removes them, an update removes those
-- that differ at their rpos and writes their replacements (two
-- statements).  A DELETE walks the old text's windows by primary key
-- (STRAIGHT_JOIN: the windows of a field are many, the text's few).  A host's
-- addresses go with it by a foreign key's cascade, which fires no trigger:
-- hosts_search_addr_del removes their windows first.
CREATE TABLE search_pos (
  i             SMALLINT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

INSERT INTO search_pos (i)
WITH d (n) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL
  SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL
  SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)
SELECT 1 + a.n + 10 * b.n + 100 * c.n + 1000 * e.n FROM d a, d b, d c, d e
WHERE a.n + 10 * b.n + 100 * c.n + 1000 * e.n < 1024;

CREATE TABLE search_bin (
  field         TINYINT UNSIGNED NOT NULL,
  k             VARBINARY(64) NOT NULL,
  id            BIGINT UNSIGNED NOT NULL,
  rpos          SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (field, k, id, rpos)
) ENGINE=InnoDB;

CREATE TABLE search_ci (
  field         TINYINT UNSIGNED NOT NULL,
  k             VARCHAR(16) CHARACTER SET utf8mb4
                  COLLATE utf8mb4_unicode_nopad_ci NOT NULL,
  id            BIGINT UNSIGNED NOT NULL,
  rpos          SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (field, k, id, rpos)
) ENGINE=InnoDB;

CREATE TRIGGER hosts_search_ins AFTER INSERT ON hosts FOR EACH ROW
  INSERT INTO search_bin (field, k, id, rpos)
  SELECT 1, SUBSTRING(NEW.name_fold, CHAR_LENGTH(NEW.name_fold) - p.i + 1, 16), NEW.id, p.i
    FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name_fold);

CREATE TRIGGER hosts_search_upd AFTER UPDATE ON hosts FOR EACH ROW
BEGIN
  IF BINARY OLD.name_fold <> BINARY NEW.name_fold THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_bin s ON s.field = 1
      AND s.k = CAST(SUBSTRING(OLD.name_fold, CHAR_LENGTH(OLD.name_fold) - p.i + 1, 16) AS BINARY)
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name_fold)
      AND NOT (p.i <= CHAR_LENGTH(NEW.name_fold) AND BINARY SUBSTRING(OLD.name_fold, CHAR_LENGTH(OLD.name_fold) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name_fold, CHAR_LENGTH(NEW.name_fold) - p.i + 1, 16));
    INSERT INTO search_bin (field, k, id, rpos)
    SELECT 1, SUBSTRING(NEW.name_fold, CHAR_LENGTH(NEW.name_fold) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name_fold)
      AND NOT (p.i <= CHAR_LENGTH(OLD.name_fold) AND BINARY SUBSTRING(OLD.name_fold, CHAR_LENGTH(OLD.name_fold) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name_fold, CHAR_LENGTH(NEW.name_fold) - p.i + 1, 16));
  END IF;
END;

CREATE TRIGGER hosts_search_del AFTER DELETE ON hosts FOR EACH ROW
  DELETE s FROM search_pos p STRAIGHT_JOIN search_bin s ON s.field = 1
    AND s.k = CAST(SUBSTRING(OLD.name_fold, CHAR_LENGTH(OLD.name_fold) - p.i + 1, 16) AS BINARY)
    AND s.id = OLD.id AND s.rpos = p.i
    WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name_fold);

CREATE TRIGGER host_addresses_search_ins AFTER INSERT ON host_addresses FOR EACH ROW
  INSERT INTO search_bin (field, k, id, rpos)
  SELECT 2, SUBSTRING(LOWER(NEW.address), CHAR_LENGTH(LOWER(NEW.address)) - p.i + 1, 16), NEW.id, p.i
    FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(LOWER(NEW.address));

CREATE TRIGGER host_addresses_search_upd AFTER UPDATE ON host_addresses FOR EACH ROW
BEGIN
  IF BINARY LOWER(OLD.address) <> BINARY LOWER(NEW.address) THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_bin s ON s.field = 2
      AND s.k = CAST(SUBSTRING(LOWER(OLD.address), CHAR_LENGTH(LOWER(OLD.address)) - p.i + 1, 16) AS BINARY)
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(LOWER(OLD.address))
      AND NOT (p.i <= CHAR_LENGTH(LOWER(NEW.address)) AND BINARY SUBSTRING(LOWER(OLD.address), CHAR_LENGTH(LOWER(OLD.address)) - p.i + 1, 16)
        = BINARY SUBSTRING(LOWER(NEW.address), CHAR_LENGTH(LOWER(NEW.address)) - p.i + 1, 16));
    INSERT INTO search_bin (field, k, id, rpos)
    SELECT 2, SUBSTRING(LOWER(NEW.address), CHAR_LENGTH(LOWER(NEW.address)) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(LOWER(NEW.address))
      AND NOT (p.i <= CHAR_LENGTH(LOWER(OLD.address)) AND BINARY SUBSTRING(LOWER(OLD.address), CHAR_LENGTH(LOWER(OLD.address)) - p.i + 1, 16)
        = BINARY SUBSTRING(LOWER(NEW.address), CHAR_LENGTH(LOWER(NEW.address)) - p.i + 1, 16));
  END IF;
END;

CREATE TRIGGER host_addresses_search_del AFTER DELETE ON host_addresses FOR EACH ROW
  DELETE s FROM search_pos p STRAIGHT_JOIN search_bin s ON s.field = 2
    AND s.k = CAST(SUBSTRING(LOWER(OLD.address), CHAR_LENGTH(LOWER(OLD.address)) - p.i + 1, 16) AS BINARY)
    AND s.id = OLD.id AND s.rpos = p.i
    WHERE p.i BETWEEN 3 AND CHAR_LENGTH(LOWER(OLD.address));

CREATE TRIGGER applications_search_ins AFTER INSERT ON applications FOR EACH ROW
BEGIN
  INSERT INTO search_ci (field, k, id, rpos)
    SELECT 1, SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name);
  INSERT INTO search_ci (field, k, id, rpos)
    SELECT 2, SUBSTRING(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL))) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)));
END;

CREATE TRIGGER applications_search_upd AFTER UPDATE ON applications FOR EACH ROW
BEGIN
  IF BINARY OLD.name <> BINARY NEW.name THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 1
      AND s.k = SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name)
      AND NOT (p.i <= CHAR_LENGTH(NEW.name) AND BINARY SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16));
    INSERT INTO search_ci (field, k, id, rpos)
    SELECT 1, SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name)
      AND NOT (p.i <= CHAR_LENGTH(OLD.name) AND BINARY SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16));
  END IF;
  IF BINARY RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)) <> BINARY RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)) THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 2
      AND s.k = SUBSTRING(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL))) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)))
      AND NOT (p.i <= CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL))) AND BINARY SUBSTRING(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL))) - p.i + 1, 16)
        = BINARY SUBSTRING(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL))) - p.i + 1, 16));
    INSERT INTO search_ci (field, k, id, rpos)
    SELECT 2, SUBSTRING(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL))) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)))
      AND NOT (p.i <= CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL))) AND BINARY SUBSTRING(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL))) - p.i + 1, 16)
        = BINARY SUBSTRING(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(NEW.full_name, CHAR_LENGTH(NEW.name) + (NEW.parent_id IS NOT NULL))) - p.i + 1, 16));
  END IF;
END;

CREATE TRIGGER applications_search_del AFTER DELETE ON applications FOR EACH ROW
BEGIN
  DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 1
      AND s.k = SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = OLD.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name);
  DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 2
      AND s.k = SUBSTRING(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL))) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = OLD.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(RIGHT(OLD.full_name, CHAR_LENGTH(OLD.name) + (OLD.parent_id IS NOT NULL)));
END;

CREATE TRIGGER users_search_ins AFTER INSERT ON users FOR EACH ROW
BEGIN
  INSERT INTO search_ci (field, k, id, rpos)
    SELECT 3, SUBSTRING(NEW.username, CHAR_LENGTH(NEW.username) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.username);
  INSERT INTO search_ci (field, k, id, rpos)
    SELECT 4, SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name);
  INSERT INTO search_ci (field, k, id, rpos)
    SELECT 5, SUBSTRING(NEW.email, CHAR_LENGTH(NEW.email) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.email);
END;

CREATE TRIGGER users_search_upd AFTER UPDATE ON users FOR EACH ROW
BEGIN
  IF BINARY OLD.username <> BINARY NEW.username THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 3
      AND s.k = SUBSTRING(OLD.username, CHAR_LENGTH(OLD.username) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.username)
      AND NOT (p.i <= CHAR_LENGTH(NEW.username) AND BINARY SUBSTRING(OLD.username, CHAR_LENGTH(OLD.username) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.username, CHAR_LENGTH(NEW.username) - p.i + 1, 16));
    INSERT INTO search_ci (field, k, id, rpos)
    SELECT 3, SUBSTRING(NEW.username, CHAR_LENGTH(NEW.username) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.username)
      AND NOT (p.i <= CHAR_LENGTH(OLD.username) AND BINARY SUBSTRING(OLD.username, CHAR_LENGTH(OLD.username) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.username, CHAR_LENGTH(NEW.username) - p.i + 1, 16));
  END IF;
  IF BINARY OLD.name <> BINARY NEW.name THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 4
      AND s.k = SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name)
      AND NOT (p.i <= CHAR_LENGTH(NEW.name) AND BINARY SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16));
    INSERT INTO search_ci (field, k, id, rpos)
    SELECT 4, SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.name)
      AND NOT (p.i <= CHAR_LENGTH(OLD.name) AND BINARY SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.name, CHAR_LENGTH(NEW.name) - p.i + 1, 16));
  END IF;
  IF BINARY OLD.email <> BINARY NEW.email THEN
    DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 5
      AND s.k = SUBSTRING(OLD.email, CHAR_LENGTH(OLD.email) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = NEW.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.email)
      AND NOT (p.i <= CHAR_LENGTH(NEW.email) AND BINARY SUBSTRING(OLD.email, CHAR_LENGTH(OLD.email) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.email, CHAR_LENGTH(NEW.email) - p.i + 1, 16));
    INSERT INTO search_ci (field, k, id, rpos)
    SELECT 5, SUBSTRING(NEW.email, CHAR_LENGTH(NEW.email) - p.i + 1, 16), NEW.id, p.i
      FROM search_pos p WHERE p.i BETWEEN 3 AND CHAR_LENGTH(NEW.email)
      AND NOT (p.i <= CHAR_LENGTH(OLD.email) AND BINARY SUBSTRING(OLD.email, CHAR_LENGTH(OLD.email) - p.i + 1, 16)
        = BINARY SUBSTRING(NEW.email, CHAR_LENGTH(NEW.email) - p.i + 1, 16));
  END IF;
END;

CREATE TRIGGER users_search_del AFTER DELETE ON users FOR EACH ROW
BEGIN
  DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 3
      AND s.k = SUBSTRING(OLD.username, CHAR_LENGTH(OLD.username) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = OLD.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.username);
  DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 4
      AND s.k = SUBSTRING(OLD.name, CHAR_LENGTH(OLD.name) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = OLD.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.name);
  DELETE s FROM search_pos p STRAIGHT_JOIN search_ci s ON s.field = 5
      AND s.k = SUBSTRING(OLD.email, CHAR_LENGTH(OLD.email) - p.i + 1, 16) COLLATE utf8mb4_unicode_nopad_ci
      AND s.id = OLD.id AND s.rpos = p.i
      WHERE p.i BETWEEN 3 AND CHAR_LENGTH(OLD.email);
END;

CREATE TRIGGER hosts_search_addr_del BEFORE DELETE ON hosts FOR EACH ROW
  DELETE s FROM host_addresses a STRAIGHT_JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(a.address)
    STRAIGHT_JOIN search_bin s ON s.field = 2
    AND s.k = CAST(SUBSTRING(LOWER(a.address), CHAR_LENGTH(a.address) - p.i + 1, 16) AS BINARY)
    AND s.id = a.id AND s.rpos = p.i
    WHERE a.host_id = OLD.id;

INSERT INTO search_bin (field, k, id, rpos)
  SELECT 1, SUBSTRING(r.name_fold, CHAR_LENGTH(r.name_fold) - p.i + 1, 16), r.id, p.i
    FROM hosts r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(r.name_fold);

INSERT INTO search_bin (field, k, id, rpos)
  SELECT 2, SUBSTRING(LOWER(r.address), CHAR_LENGTH(LOWER(r.address)) - p.i + 1, 16), r.id, p.i
    FROM host_addresses r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(LOWER(r.address));

INSERT INTO search_ci (field, k, id, rpos)
  SELECT 1, SUBSTRING(r.name, CHAR_LENGTH(r.name) - p.i + 1, 16), r.id, p.i
    FROM applications r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(r.name);

INSERT INTO search_ci (field, k, id, rpos)
  SELECT 2, SUBSTRING(RIGHT(r.full_name, CHAR_LENGTH(r.name) + (r.parent_id IS NOT NULL)), CHAR_LENGTH(RIGHT(r.full_name, CHAR_LENGTH(r.name) + (r.parent_id IS NOT NULL))) - p.i + 1, 16), r.id, p.i
    FROM applications r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(RIGHT(r.full_name, CHAR_LENGTH(r.name) + (r.parent_id IS NOT NULL)));

INSERT INTO search_ci (field, k, id, rpos)
  SELECT 3, SUBSTRING(r.username, CHAR_LENGTH(r.username) - p.i + 1, 16), r.id, p.i
    FROM users r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(r.username);

INSERT INTO search_ci (field, k, id, rpos)
  SELECT 4, SUBSTRING(r.name, CHAR_LENGTH(r.name) - p.i + 1, 16), r.id, p.i
    FROM users r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(r.name);

INSERT INTO search_ci (field, k, id, rpos)
  SELECT 5, SUBSTRING(r.email, CHAR_LENGTH(r.email) - p.i + 1, 16), r.id, p.i
    FROM users r JOIN search_pos p ON p.i BETWEEN 3 AND CHAR_LENGTH(r.email);


