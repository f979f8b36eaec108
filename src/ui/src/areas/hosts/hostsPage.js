// A page of GET /hosts/, newest first (the API's order) or oldest first.
// The API lists by id, newest first, and pages by page/page_size; the
// oldest-first page p of size s is the newest-first positions
// [count - p*s, count - (p-1)*s), read from the (at most two) API pages
// that hold them and reversed.  The count comes from the first answer.
import { api } from '@/api'

export async function fetchHosts(filters, page, size, order = 'newest') {
  const ask = (p, s) => api.get('/hosts/', { ...filters, page: p, page_size: s })
  if (order !== 'oldest') return ask(page, size)
  const probe = await ask(1, 1)
  const n = probe.count
  const hi = n - (page - 1) * size		// exclusive end in newest-first order
  const lo = Math.max(0, hi - size)
  if (hi <= 0) return { count: n, results: [] }
  const first = Math.floor(lo / size) + 1, last = Math.floor((hi - 1) / size) + 1
  const pages = await Promise.all([...new Set([first, last])].map((p) => ask(p, size)))
  const all = pages.flatMap((a) => a.results)
  const start = lo - (first - 1) * size
  return { count: pages[pages.length - 1].count, results: all.slice(start, start + (hi - lo)).reverse() }
}
