/*
 * conf.h -- hangar.conf: one table of keys shared by every program.
 *
 * The file is "key = value" lines; '#' starts a comment.  Each key has a type,
 * a default good for `make run`, bounds, and a line of help; hangar.conf(5)
 * documents the same table.
 */
#ifndef HG_CONF_H
#define HG_CONF_H

#include <stddef.h>

struct hg_conf {
	/* hangard */
	char	*listen;		/* FastCGI unix socket */
	char	*listen_mode;		/* its mode, octal */
	char	*listen_group;		/* its group (empty: hangard's) */
	long	 trust_proxy;		/* X-Forwarded-Proto from nginx */
	long	 workers;
	long	 max_requests;
	long	 max_body;
	char	*pid_file;
	char	*access_log;
	char	*log_file;
	char	*log_level;
	char	*timezone;
	/* MySQL / MariaDB */
	char	*db_socket;
	char	*db_host;
	long	 db_port;
	char	*db_user;
	char	*db_password;
	char	*db_name;
	long	 db_timeout;
	/* Redis */
	char	*redis_socket;
	char	*redis_host;
	long	 redis_port;
	long	 redis_timeout_ms;
	/* sessions and login */
	long	 session_idle;
	long	 session_max;
	long	 auth_cache_ttl;
	long	 login_max_failures;
	long	 login_addr_max_failures;
	long	 login_user_max_failures;
	long	 login_window;
	/* mail */
	char	*smtp_url;
	char	*mail_from;
	long	 mail_attempts;
	long	 mail_retry_delay;
	long	 forget_addr_max_requests;
	long	 forget_user_max_requests;
	long	 forget_window;
	char	*public_url;
	/* secrets */
	char	*secret_key_file;
	/* agent */
	char	*agent_log;
	char	*agent_pid_file;
	long	 parallel;
	long	 claim_timeout;
	long	 ssh_timeout;
	long	 command_timeout;
	char	*known_hosts;
	long	 log_read_timeout;
	char	*power_restart_cmd;	/* PHY_HOST restart, run over SSH */
	char	*power_stop_cmd;	/* PHY_HOST stop, run over SSH */
	char	*power_start_cmd;	/* PHY_HOST start, run locally */
	char	*init_script;		/* local file run on the host by init */
	/* live output: the agent's nchan publisher (src/agent/publish.c) */
	char	*ws_publish_url;	/* "" off; the task id is appended */
	char	*ws_publish_socket;	/* "" TCP, else a unix socket */
	char	*ws_publish_secret;	/* sent as X-Hangar-Publish-Secret */
	long	 ws_publish_timeout;	/* ms one publish may take */
	/* CDN refresh (tools/cdn_refresh.c, the agent's cdn_step.c) */
	char	*cdn_domains;		/* URLs' hosts a task may name ("": any) */
	long	 cdn_timeout;		/* seconds before a task is TIMEOUT */
	long	 cdn_poll_ms;		/* pause between two status polls */
	/* the jump log's retention (the agent's retention.c) */
	long	 jump_log_retention_days;	/* 0: keep forever */
	long	 jump_log_purge_batch;	/* lines a purge transaction */
	/* Zabbix (lib/zabbix.c) */
	char	*zabbix_url;
	char	*zabbix_user;
	char	*zabbix_password;
	long	 zabbix_timeout;
	/* deploy scripts (hangard) */
	char	*jinja_check;		/* the Jinja2 syntax checker */
	long	 jinja_check_timeout;	/* ms it may take */
	char	*deploy_cache_dir;	/* agent: repository caches, packages */
	char	*deploy_ca_file;	/* agent: CAs for HTTPS git, FTPS ("") */
	long	 dns_timeout;		/* ms one DNS server call may take */
	long	 dns_default_ttl;	/* seconds */
};

extern struct hg_conf hg_conf;

enum hg_ctype { HG_C_STR, HG_C_INT };

struct hg_confkey {
	const char	*k_name;
	enum hg_ctype	 k_type;
	size_t		 k_off;
	const char	*k_default;
	long		 k_min, k_max;	/* HG_C_INT bounds */
	const char	*k_help;
	/* Extra check of a string's value: NULL, or why it is wrong. */
	const char	*(*k_check)(const char *);
};

extern const struct hg_confkey hg_confkeys[];

/*
 * Load defaults, then the file (NULL: defaults only).  On error writes
 * "file:line: message" into err and returns -1.
 */
int	hg_conf_load(const char *path, char *err, size_t errlen);
void	hg_conf_dump(void);	/* every key = value, secrets masked, to stdout */

#endif
