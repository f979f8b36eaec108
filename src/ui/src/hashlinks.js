// Links of the "#/path" form (the password-reset mail's
// PUBLIC_URL/ui/#/reset-password?token=...) open the same route without
// the "#".  The fragment never went to the server (no token in any log),
// and replaceState sends nothing either.  Imported first by main.js: the
// router reads the address when its module is evaluated.
if (location.hash.startsWith('#/')) {
  history.replaceState(null, '', '/ui' + location.hash.slice(1))
}
