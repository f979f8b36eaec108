-- cmdb-seed.sql -- the CMDB benchmark's data set (t/bench/cmdb.sh), written
-- straight into a fresh database with MariaDB's SEQUENCE engine.
--
-- 10,000 applications in a five-level tree with explicit ids: 10 roots
-- (1-10), 9 children each (11-100), 10 under each of those (101-1000), 5
-- under each of those (1001-5500) and one under each of those (5501-10000),
-- so every root's subtree holds exactly 1,000 applications.  100,000 hosts
-- (ids 1-100000) with a private and a public address each; 30,000
-- instances, one on each of hosts 1-30000, spread over all applications.

INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT seq, CONCAT('app', seq), CONCAT('app', seq), NULL, 0 FROM seq_1_to_10;

INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT 11 + s.seq, CONCAT('app', 11 + s.seq),
       CONCAT(p.full_name, '.app', 11 + s.seq), p.id, 1
FROM seq_0_to_89 s JOIN applications p ON p.id = 1 + s.seq DIV 9;

INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT 101 + s.seq, CONCAT('app', 101 + s.seq),
       CONCAT(p.full_name, '.app', 101 + s.seq), p.id, 2
FROM seq_0_to_899 s JOIN applications p ON p.id = 11 + s.seq DIV 10;

INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT 1001 + s.seq, CONCAT('app', 1001 + s.seq),
       CONCAT(p.full_name, '.app', 1001 + s.seq), p.id, 3
FROM seq_0_to_4499 s JOIN applications p ON p.id = 101 + s.seq DIV 5;

INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT 5501 + s.seq, CONCAT('app', 5501 + s.seq),
       CONCAT(p.full_name, '.app', 5501 + s.seq), p.id, 4
FROM seq_0_to_4499 s JOIN applications p ON p.id = 1001 + s.seq;

-- Names like h004217.sh.example; types, OS states and sizes vary.
INSERT INTO hosts (id, name, host_type, status, os_status, os_type, cpu,
    memory, location, description)
SELECT seq, CONCAT('h', LPAD(seq, 6, '0'), '.',
           ELT(1 + seq % 4, 'hz', 'sh', 'bj', 'sz'), '.example'),
       ELT(1 + seq % 6, 'ALI_ECS', 'PHY_HOST', 'TECENT_CVM', 'TECENT_CPM',
           'CLOUDSTACK', 'CLOUDSTACK_OFFICE'),
       IF(seq <= 30000, 'attached', ELT(1 + seq % 3, 'raw', 'inited', 'offline')),
       ELT(1 + seq % 4, 'unknown', 'running', 'stopped', 'running'),
       'centos-7', 2 << (seq % 4), 2048 << (seq % 4),
       ELT(1 + seq % 4, 'hangzhou', 'shanghai', 'beijing', 'shenzhen'),
       CONCAT('benchmark host ', seq)
FROM seq_1_to_100000;

INSERT INTO host_addresses (host_id, addr_type, network, netmask, address)
SELECT seq, 'PRIVATE', 'vpc-bench', '255.255.0.0',
       CONCAT('10.', (seq >> 16) & 255, '.', (seq >> 8) & 255, '.', seq & 255)
FROM seq_1_to_100000;

INSERT INTO host_addresses (host_id, addr_type, network, netmask, address)
SELECT seq, 'PUBLIC', '', '24',
       CONCAT('47.', 96 + ((seq >> 16) & 255), '.', (seq >> 8) & 255, '.',
           seq & 255)
FROM seq_1_to_100000;

INSERT INTO app_instances (app_id, host_id, status, version)
SELECT 1 + (seq - 1) % 10000, seq, 'running', '1.0.0' FROM seq_1_to_30000;

ANALYZE TABLE applications, hosts, host_addresses, app_instances;
