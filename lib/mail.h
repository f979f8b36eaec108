/*
 * mail.h -- plain-text mail over SMTP with libcurl (config smtp_url).
 */
#ifndef HG_MAIL_H
#define HG_MAIL_H

/* Send one message; 0 on success, -1 (logged) on failure.  Bounded by 10 s. */
int	hg_mail_send(const char *to, const char *subject, const char *body);

#endif
