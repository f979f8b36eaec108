/*
 * mail.h -- plain-text mail over SMTP with libcurl (config smtp_url).
 */
#ifndef HG_MAIL_H
#define HG_MAIL_H

/*
 * Send one message, of any length; 0 on success, -1 (logged) on failure.
 * Bounded by 10 s (5 of them to connect).  to and subject go into
 * headers as they are: the caller makes sure they are one line (hangard's
 * hg_mail_queue does).
 */
int	hg_mail_send(const char *to, const char *subject, const char *body);

#endif
