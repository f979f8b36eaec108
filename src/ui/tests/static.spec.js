// Rules of the sources, checked without a server: no v-html (API data is
// never markup), no inline <script> in index.html (the CSP forbids it).
import { test, expect } from '@playwright/test'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../', import.meta.url).pathname

function files(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) files(p, out)
    else if (/\.(vue|js)$/.test(e.name)) out.push(p)
  }
  return out
}

test('no v-html or innerHTML in the sources', () => {
  const bad = files(join(root, 'src')).filter((f) => /v-html|innerHTML/.test(readFileSync(f, 'utf8')))
  expect(bad).toEqual([])
})

test('index.html loads its script from a file', () => {
  const html = readFileSync(join(root, 'index.html'), 'utf8')
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\bsrc=/.test(m[1]) || m[2].trim() !== '')
  expect(inline).toEqual([])
})
