-- 082_deploy_config.sql -- what a deploy ships and how: deploy scripts
-- (发布脚本), deploy templates (发布模板) and deploy settings (发布配置).
--
-- One set of deploy settings is a deploy_configs row with its hooks.  It
-- belongs to exactly one owner: a template (template_id) or an application
-- (app_id, the application's own settings).  An application either has
-- settings of its own or follows one template (deploy_template_apps), never
-- both (the handlers keep that: linking a template drops the own settings);
-- following copies nothing, so a change to the template is seen by every
-- application that follows it.  An application with neither is unconfigured.

CREATE TABLE deploy_scripts (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  language        ENUM('bash','python') NOT NULL,
  template_engine ENUM('jinja','none') NOT NULL DEFAULT 'jinja',
  content         MEDIUMTEXT NOT NULL,
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY deploy_scripts_name (name),
  KEY deploy_scripts_language (language, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE deploy_templates (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY deploy_templates_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The settings themselves.  repo_branch is NULL for an FTP repository.
-- credential_id names a credentials row (003_jobs.sql); an inline
-- credential given with the settings is stored there as one of its own.
-- running_user is the hooks' default user (lifecycle_hooks.running_user).
CREATE TABLE deploy_configs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  template_id     BIGINT UNSIGNED NULL,
  app_id          BIGINT UNSIGNED NULL,
  enabled         TINYINT(1) NOT NULL DEFAULT 1,
  repo_type       ENUM('GIT','FTP') NOT NULL,
  repo_url        VARCHAR(2048) NOT NULL,
  repo_branch     VARCHAR(255) NULL,
  credential_id   BIGINT UNSIGNED NULL,
  deploy_path     VARCHAR(1024) NOT NULL,
  running_user    VARCHAR(32) NULL,
  timeout         INT UNSIGNED NOT NULL DEFAULT 120,
  keep_backups    INT UNSIGNED NOT NULL DEFAULT 5,
  creator         VARCHAR(64) NOT NULL DEFAULT '',
  created_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_time    DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY deploy_configs_template (template_id),
  UNIQUE KEY deploy_configs_app (app_id),
  KEY deploy_configs_credential (credential_id),
  CONSTRAINT deploy_configs_owner CHECK ((template_id IS NULL) <> (app_id IS NULL)),
  CONSTRAINT deploy_configs_template FOREIGN KEY (template_id) REFERENCES deploy_templates (id) ON DELETE CASCADE,
  CONSTRAINT deploy_configs_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE,
  CONSTRAINT deploy_configs_credential FOREIGN KEY (credential_id) REFERENCES credentials (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lifecycle hooks of a set of settings: at most one script per stage,
-- run as running_user (NULL: the settings' running_user).  A script in use
-- cannot be deleted (the handler names who uses it; the key backs it up).
CREATE TABLE deploy_config_hooks (
  config_id       BIGINT UNSIGNED NOT NULL,
  stage           ENUM('global_pre_exec','pre_exec','post_exec','global_post_exec') NOT NULL,
  running_user    VARCHAR(32) NULL,
  script_id       BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (config_id, stage),
  KEY deploy_config_hooks_script (script_id, config_id),
  CONSTRAINT deploy_config_hooks_config FOREIGN KEY (config_id) REFERENCES deploy_configs (id) ON DELETE CASCADE,
  CONSTRAINT deploy_config_hooks_script FOREIGN KEY (script_id) REFERENCES deploy_scripts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The applications that follow a template: at most one template each.  A
-- template that applications follow cannot be deleted.
CREATE TABLE deploy_template_apps (
  app_id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  template_id     BIGINT UNSIGNED NOT NULL,
  linked_time     DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  KEY deploy_template_apps_template (template_id, app_id),
  CONSTRAINT deploy_template_apps_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE,
  CONSTRAINT deploy_template_apps_template FOREIGN KEY (template_id) REFERENCES deploy_templates (id)
) ENGINE=InnoDB;
