/*
 * families.h -- every resource family, once.  Each line names the route
 * table hg_routes_<name> that one family's file exports; router.c expands
 * this list into the one table of routes, so a family that is listed and
 * not defined (or misnamed) fails the link instead of losing its routes.
 * Order matters only to `hangard -R`.  To add a family: write its file
 * under the module's folder, export hg_routes_<name>, add a line here.
 */
HG_FAMILY(health)		/* health.c */
HG_FAMILY(auth)			/* auth/login.c */
HG_FAMILY(users)		/* auth/users.c */
HG_FAMILY(roles)		/* auth/roles.c */
HG_FAMILY(tokens)		/* auth/tokens.c */
HG_FAMILY(authz)		/* auth/grants.c */
HG_FAMILY(module_grants)	/* auth/module_grants.c */
HG_FAMILY(audit)		/* audit/operations.c */
HG_FAMILY(applications)		/* cmdb/applications.c */
HG_FAMILY(app_lists)		/* cmdb/app_lists.c */
HG_FAMILY(app_links)		/* cmdb/app_links.c */
HG_FAMILY(app_people)		/* cmdb/app_people.c */
HG_FAMILY(instance_logs)	/* cmdb/instance_logs.c */
HG_FAMILY(productions)		/* cmdb/productions.c */
HG_FAMILY(hosts)		/* cmdb/hosts.c */
HG_FAMILY(cloud_accounts)	/* cmdb/cloud_accounts.c */
HG_FAMILY(host_tasks)		/* tasks/host_tasks.c */
HG_FAMILY(host_status)		/* tasks/host_status.c */
HG_FAMILY(tasks)		/* tasks/tasks.c */
HG_FAMILY(task_live)		/* tasks/live.c */
HG_FAMILY(credentials)		/* deploy/credentials.c */
HG_FAMILY(deploy_scripts)	/* deploy/scripts.c */
HG_FAMILY(deploy_templates)	/* deploy/templates.c */
HG_FAMILY(app_deploy)		/* deploy/app_deploy.c */
HG_FAMILY(navigators)		/* tools/navigators.c */
HG_FAMILY(cdn_refresh)		/* tools/cdn_refresh.c */
HG_FAMILY(deploy_tasks)		/* deploy/deploy_tasks.c */
HG_FAMILY(deploy_subtasks)	/* deploy/subtasks.c */
HG_FAMILY(deploy_freezes)	/* deploy/deploy_freezes.c */
HG_FAMILY(dns_servers)		/* dns/servers.c */
HG_FAMILY(dns_domains)		/* dns/domains.c */
HG_FAMILY(dns_records)		/* dns/records.c */
HG_FAMILY(dns_audit)		/* dns/dns_audit.c */
HG_FAMILY(dns_apply)		/* dns/apply.c */
HG_FAMILY(dns_zone)		/* dns/zone.c */
HG_FAMILY(dns_import)		/* dns/import.c */
HG_FAMILY(host_requests)	/* requests/hosts.c */
HG_FAMILY(domain_requests)	/* requests/domains.c */
HG_FAMILY(ssl_requests)		/* requests/ssl.c */
HG_FAMILY(jump_logs)		/* tools/jump_logs.c */
