-- A user's roles, as the User object shows them ([{"id", "name"}, ...],
-- NULL for none), kept on the users row by triggers so that listing users
-- needs no per-row subquery (it cost the users list more than the rest of
-- the query).  Every change of membership or of a role's name rewrites the
-- affected users' lists; deleting a role first deletes its memberships
-- (a foreign key's cascade would not fire the trigger that rewrites them).
ALTER TABLE users ADD COLUMN roles_json MEDIUMTEXT NULL;

CREATE TRIGGER user_roles_list_ins AFTER INSERT ON user_roles FOR EACH ROW
  UPDATE users u SET u.roles_json = (SELECT JSON_ARRAYAGG(JSON_OBJECT(
    'id', ro.id, 'name', ro.name) ORDER BY ro.id) FROM user_roles ur
    JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = NEW.user_id)
  WHERE u.id = NEW.user_id;

CREATE TRIGGER user_roles_list_del AFTER DELETE ON user_roles FOR EACH ROW
  UPDATE users u SET u.roles_json = (SELECT JSON_ARRAYAGG(JSON_OBJECT(
    'id', ro.id, 'name', ro.name) ORDER BY ro.id) FROM user_roles ur
    JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = OLD.user_id)
  WHERE u.id = OLD.user_id;

CREATE TRIGGER roles_list_upd AFTER UPDATE ON roles FOR EACH ROW
  UPDATE users u SET u.roles_json = (SELECT JSON_ARRAYAGG(JSON_OBJECT(
    'id', ro.id, 'name', ro.name) ORDER BY ro.id) FROM user_roles ur
    JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = u.id)
  WHERE u.id IN (SELECT m.user_id FROM user_roles m WHERE m.role_id = NEW.id);

CREATE TRIGGER roles_members_del BEFORE DELETE ON roles FOR EACH ROW
  DELETE FROM user_roles WHERE role_id = OLD.id;

UPDATE users u SET u.roles_json = (SELECT JSON_ARRAYAGG(JSON_OBJECT(
  'id', ro.id, 'name', ro.name) ORDER BY ro.id) FROM user_roles ur
  JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = u.id);
