-- 070_zabbix_hostid.sql -- the Zabbix hostid of each host Hangar registered
-- (host.create's answer), written with the registration (init, or
-- change-zabbix-opts on an inited or attached host).  Later updates and the
-- removal on going offline act on this hostid only, never on a Zabbix host
-- found by name: a Zabbix host Hangar did not register is never touched.
-- NULL: Hangar has registered nothing in Zabbix for the host (or removed
-- it).  Hosts registered before this migration have NULL; registering them
-- again fails while their old Zabbix host keeps the name (remove it in
-- Zabbix, or rename it, first).
ALTER TABLE host_zabbix
  ADD COLUMN zabbix_hostid VARCHAR(32) CHARACTER SET ascii NULL AFTER host_id;
