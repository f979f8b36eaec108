// Links of the "#/path" form (the password-reset mail's
// PUBLIC_URL/ui/#/reset-password?token=...) open the same route without
// the "#".  The fragment never went to the server (no token in any log),
// and replaceState sends nothing either.  Imported first by main.js: the
// router reads the address when its module is evaluated.
if (location.hash.startsWith('#/')) {
  history.replaceState(null, '', '/ui' + location.hash.slice(1))
}

// The same link opened while the UI is already at /ui/ changes only the
// fragment (no reload): route it then.
export function followHashLinks(router) {
  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/')) return
    const to = location.hash.slice(1)
    history.replaceState(history.state, '', '/ui' + to)
    router.replace(to)
  })
}
