-- 093_dns.sql -- DNS management (the seed's DNS服务, API.md sections 4 and
-- 6): the DNS servers Hangar drives, the domains (zones) it manages on
-- them and their records.
--
-- Hangar's rows are the record of what was asked; every change is made on
-- the server in the same request (lib/dns.h), and a row is only written
-- when the server said yes.
--
-- type is the API's spelling: 'powerdns' (HTTP API: api_endpoint, api_key)
-- or 'bind' (RFC 2136 + TSIG: dns_address "host:port", tsig_key_name,
-- tsig_algorithm, tsig_secret).  api_key and tsig_secret are sealed with
-- the server key (lib/secret.c), write-only like credentials' secrets:
-- reads show "******", audit rows say "replaced".  NULL = not set.

CREATE TABLE dns_servers (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  type            ENUM('powerdns','bind') NOT NULL,
  api_endpoint    VARCHAR(1024) NOT NULL DEFAULT '',
  api_key         TEXT NULL,
  dns_address     VARCHAR(300) NOT NULL DEFAULT '',
  tsig_key_name   VARCHAR(255) NOT NULL DEFAULT '',
  tsig_algorithm  VARCHAR(64) NOT NULL DEFAULT '',
  tsig_secret     TEXT NULL,
  description     VARCHAR(1024) NOT NULL DEFAULT '',
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY dns_servers_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A zone on one server.  name is the zone's canonical name: lower case,
-- ASCII (IDNs as xn--), without the trailing dot.  A server that still has
-- domains cannot be deleted (409); deleting a domain deletes the zone on
-- the server and its records here.
CREATE TABLE dns_domains (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  server_id       BIGINT UNSIGNED NOT NULL,
  name            VARCHAR(253) CHARACTER SET ascii NOT NULL,
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY dns_domains_server_name (server_id, name),
  KEY dns_domains_name (name),
  CONSTRAINT dns_domains_server FOREIGN KEY (server_id)
    REFERENCES dns_servers (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One resource record.  name is absolute, lower case, without the trailing
-- dot (the zone apex is the zone's name).  value is Hangar's canonical form
-- (lib/dns.h): A/AAAA the address as inet_ntop prints it; CNAME/NS the
-- target, absolute, lower case, no trailing dot; MX "<pref> <target>"; TXT
-- the text itself, unquoted.  Records of one name and type form an RRset
-- and share one ttl.  disabled records stay here and are not served
-- (PowerDNS keeps them with "disabled": true, BIND drops them from the
-- zone until enabled again).
CREATE TABLE dns_records (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  domain_id       BIGINT UNSIGNED NOT NULL,
  name            VARCHAR(253) CHARACTER SET ascii NOT NULL,
  type            ENUM('A','AAAA','CNAME','MX','NS','TXT') NOT NULL,
  value           VARCHAR(4096) NOT NULL,
  ttl             INT UNSIGNED NOT NULL,
  disabled        TINYINT(1) NOT NULL DEFAULT 0,
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  KEY dns_records_rrset (domain_id, name, type),
  KEY dns_records_domain (domain_id, id),
  CONSTRAINT dns_records_domain FOREIGN KEY (domain_id)
    REFERENCES dns_domains (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
