-- 010_app_attrs.sql -- the application attributes the seed's PATCH
-- /applications/{id}/ sets: how the application runs on its hosts.

ALTER TABLE applications
  ADD COLUMN application_type VARCHAR(64) NOT NULL DEFAULT '',
  ADD COLUMN run_user     VARCHAR(64) NOT NULL DEFAULT '',
  ADD COLUMN directory    VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN startup_cmd  VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN stop_cmd     VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN stdout_path  VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN stderr_path  VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN pid_path     VARCHAR(1024) NOT NULL DEFAULT '';
