// The one client of Hangar's API (man/hangar-api.7).  Every page calls the
// API through it:
//   import { api } from '@/api'
//   const apps = await api.get('/applications/', { page: 1, page_size: 20 })
//   await api.post('/applications/', { name: 'web' })
// It sends JSON with the session cookie, adds X-CSRF-Token to every
// POST/PATCH/PUT/DELETE, and throws an ApiError for any answer that is not
// 2xx.  A 401 (session missing or expired) sends the browser to the sign-in
// page, which comes back to the same page after signing in.

// The session's CSRF token, from /auth/login/ or /auth/me/ (session.js).
let csrfToken = null
export function setCsrfToken(token) { csrfToken = token || null }

// What to do on a 401 from an endpoint other than /auth/login/: set by the
// router (sign-in page, then back to where the user was).
let onUnauthorized = () => {}
export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

// An error answer, shaped for pages and forms:
//   status   HTTP status (0: the server could not be reached)
//   code     Hangar's error_code (10002 validation, 10007 denied, ...)
//   message  the server's message, for people
//   fields   { field: "what is wrong" } for validation failures, else {}
//   retryAfter  seconds, from a 429's Retry-After
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, retryAfter = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.retryAfter = retryAfter
  }
}

const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

// Query strings: undefined, null and '' are left out; arrays repeat the key.
export function queryString(query) {
  if (!query) return ''
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)))
    else q.append(k, String(v))
  }
  const s = q.toString()
  return s ? '?' + s : ''
}

async function parse(res) {
  const text = await res.text()
  if (!text) return null
  try { return JSON.parse(text) } catch { return { message: text } }
}

async function request(method, path, { body, query, retry = true } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (MUTATING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  try {
    res = await fetch(path + queryString(query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (e) {
    throw new ApiError(0, 0, String(e && e.message ? e.message : e))
  }
  const data = await parse(res)
  if (res.ok) return data
  const err = new ApiError(res.status, data?.error_code ?? 0,
    data?.message ?? res.statusText, data?.errors ?? {},
    res.headers.get('Retry-After'))
  // A stale CSRF token (a new session in another tab): fetch the current
  // one and try once more.
  if (err.code === 10014 && retry && !path.startsWith('/auth/me/')) {
    try {
      const me = await request('GET', '/auth/me/', { retry: false })
      setCsrfToken(me?.csrf_token)
      return await request(method, path, { body, query, retry: false })
    } catch { /* fall through to the first error */ }
  }
  if (res.status === 401 && !path.startsWith('/auth/login/')) onUnauthorized(err)
  throw err
}

// For a list or a search that can be asked again before its last answer
// came back (a filter changed, a letter typed): only the newest call's
// answer or error is delivered.  An older call never settles, so its
// caller's code after the await (and its finally) never runs: a slow
// unfiltered first page can never overwrite the filtered one after it.
//   const getHosts = newest(api.get)
//   rows.value = (await getHosts('/hosts/', q)).results
export function newest(fn) {
  let last = 0
  return async (...args) => {
    const mine = ++last
    let value, error, failed = false
    try { value = await fn(...args) } catch (e) { error = e; failed = true }
    if (mine !== last) return new Promise(() => {})
    if (failed) throw error
    return value
  }
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body = {}, query) => request('POST', path, { body, query }),
  patch: (path, body = {}) => request('PATCH', path, { body }),
  put: (path, body = {}) => request('PUT', path, { body }),
  del: (path, body) => request('DELETE', path, { body }),
  request,
}
export default api
