-- 011_audit_target.sql -- an application's audit rows are named by its
-- full_name, which may be 768 characters long (applications.c FULL_MAX).

ALTER TABLE audit_log MODIFY target_name VARCHAR(1024) NOT NULL DEFAULT '';
