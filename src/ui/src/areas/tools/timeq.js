// A date picker's Date as the API takes a time (RFC 3339, UTC), or
// undefined (api.js leaves undefined out of the query).
export function apiTime(d) {
  if (!(d instanceof Date) || isNaN(d.getTime())) return undefined
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
