/*
 * hangarctl.c -- Hangar's administration tool.
 *
 *	hangarctl [-c file] [-s sqldir] migrate
 *	hangarctl [-c file] user add [--superuser] NAME
 *	hangarctl [-c file] keygen
 *	hangarctl [-c file] check-config
 *	hangarctl jump-log ship [--state FILE] [--batch N] [--interval MS]
 *	    [--once] LOGFILE		(jumplog.c; no hangar.conf needed)
 *
 * `user add` reads the password from HANGAR_PASSWORD or, failing that, the
 * first line of standard input; it is never taken from the command line,
 * where ps(1) would show it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "jumplog.h"
#include "log.h"
#include "secret.h"
#include "valid.h"

#ifndef HG_SQLDIR
#define HG_SQLDIR "/usr/local/share/hangar/sql"
#endif

#define EXIT_EXISTS	3

static const char	*sqldir = HG_SQLDIR;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hangarctl [-c file] [-s sqldir] migrate\n"
	    "       hangarctl [-c file] user add [--superuser] NAME\n"
	    "       hangarctl [-c file] keygen\n"
	    "       hangarctl [-c file] check-config\n"
	    "       hangarctl jump-log ship [--state FILE] [--batch N] "
	    "[--interval MS] [--once] LOGFILE\n");
	exit(2);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Apply every sql/NNN_*.sql not yet in schema_migrations, in order. */
static int
migrate(struct hg_db *db)
{
	struct hg_arena	 a;
	struct hg_rows	*rs;
	DIR		*d;
	struct dirent	*de;
	char		*names[1024], path[4096], err[1024], *sql;
	size_t		 n = 0, i;
	int		 rc, applied = 0;

	hg_arena_init(&a);
	if (hg_db_script(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version VARCHAR(255) NOT NULL PRIMARY KEY, "
	    "applied_time DATETIME NOT NULL DEFAULT UTC_TIMESTAMP())",
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "hangarctl: migrate: %s\n", err);
		return 1;
	}
	if ((d = opendir(sqldir)) == NULL) {
		fprintf(stderr, "hangarctl: %s: %s\n", sqldir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL && n < 1024) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(db, &a, &rs, "SELECT version FROM "
		    "schema_migrations WHERE version = ?", "s", names[i])) != 0) {
			fprintf(stderr, "hangarctl: migrate: %s\n",
			    hg_db_last_error(db));
			return 1;
		}
		if (rs->nrows > 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sqldir, names[i]);
		if ((sql = slurp(path)) == NULL) {
			fprintf(stderr, "hangarctl: %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (hg_db_script(db, sql, err, sizeof(err)) != 0) {
			fprintf(stderr, "hangarctl: %s: %s\n", path, err);
			free(sql);
			return 1;
		}
		free(sql);
		if (hg_db_exec(db, "INSERT INTO schema_migrations (version) "
		    "VALUES (?)", "s", names[i]) != 0) {
			fprintf(stderr, "hangarctl: migrate: %s\n",
			    hg_db_last_error(db));
			return 1;
		}
		printf("applied %s\n", names[i]);
		applied++;
	}
	if (applied == 0)
		printf("database is up to date\n");
	for (i = 0; i < n; i++)
		free(names[i]);
	hg_arena_free(&a);
	return 0;
}

static int
user_add(struct hg_db *db, int argc, char **argv)
{
	struct hg_arena	 a;
	struct hg_rows	*rs;
	const char	*name = NULL, *why = NULL, *env;
	char		 line[1100], hash[256];
	int		 superuser = 0, i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--superuser") == 0)
			superuser = 1;
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else
			usage();
	}
	if (name == NULL)
		usage();
	if (*name == '\0' || strlen(name) > 64 ||
	    (why = hg_check_username(name)) != NULL) {
		fprintf(stderr, "hangarctl: username %s\n",
		    why ? why : "must be 1 to 64 characters");
		return 1;
	}
	if ((env = getenv("HANGAR_PASSWORD")) != NULL && *env != '\0')
		snprintf(line, sizeof(line), "%s", env);
	else if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "hangarctl: no password on standard input\n");
		return 1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strlen(line) < 8 || strlen(line) > 1024) {
		fprintf(stderr, "hangarctl: password must be 8 to 1024 characters\n");
		return 1;
	}
	hg_arena_init(&a);
	if (hg_db_query(db, &a, &rs, "SELECT id FROM users WHERE username = ?",
	    "s", name) != 0) {
		fprintf(stderr, "hangarctl: %s\n", hg_db_last_error(db));
		return 1;
	}
	if (rs->nrows > 0) {
		fprintf(stderr, "hangarctl: user %s already exists\n", name);
		return EXIT_EXISTS;
	}
	if (hg_password_hash(line, hash, sizeof(hash)) != 0) {
		fprintf(stderr, "hangarctl: password hashing failed\n");
		return 1;
	}
	rc = hg_db_exec(db, "INSERT INTO users (username, name, is_superuser, "
	    "password_hash) VALUES (?, ?, ?, ?)", "ssis", name, name,
	    (long long)superuser, hash);
	hg_arena_free(&a);
	if (rc != 0) {
		fprintf(stderr, "hangarctl: %s\n", hg_db_last_error(db));
		return rc == HG_E_CONFLICT ? EXIT_EXISTS : 1;
	}
	printf("created %suser %s\n", superuser ? "super" : "", name);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*conf = NULL;
	char		 err[1024];
	struct hg_db	*db;
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "+c:s:")) != -1)
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 's':
			sqldir = optarg;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	/* The bastion's forwarder: no hangar.conf, no database. */
	if (strcmp(argv[0], "jump-log") == 0)
		return jumplog_main(argc, argv);
	if (hg_conf_load(conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "hangarctl: %s\n", err);
		return 1;
	}
	hg_log_open("hangarctl", "-", HG_WARN);
	if (hg_secret_init() != 0) {
		fprintf(stderr, "hangarctl: libsodium failed to initialise\n");
		return 1;
	}
	if (strcmp(argv[0], "check-config") == 0) {
		hg_conf_dump();
		return 0;
	}
	if (strcmp(argv[0], "keygen") == 0) {
		if (access(hg_conf.secret_key_file, F_OK) == 0) {
			printf("%s exists; keeping it\n", hg_conf.secret_key_file);
			return 0;
		}
		if (hg_key_load(hg_conf.secret_key_file, 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "hangarctl: %s\n", err);
			return 1;
		}
		printf("created %s\n", hg_conf.secret_key_file);
		return 0;
	}
	db = hg_db_new();
	if (strcmp(argv[0], "migrate") == 0 && argc == 1)
		rc = migrate(db);
	else if (strcmp(argv[0], "user") == 0 && argc >= 2 &&
	    strcmp(argv[1], "add") == 0)
		rc = user_add(db, argc - 2, argv + 2);
	else
		usage();
	hg_db_close(db);
	return rc;
}
