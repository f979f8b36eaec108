// Every message file of one language has exactly the keys of the other:
// a key missing in zh-CN or en fails here, naming the file and the key.
// Needs no server.
import { test, expect } from '@playwright/test'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const src = new URL('../src/', import.meta.url).pathname
const LOCALES = ['zh-CN', 'en']

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, prefix + k + '.') : [prefix + k])
}

function folders() {
  const dirs = [join(src, 'i18n')]
  for (const area of readdirSync(join(src, 'areas'))) {
    const d = join(src, 'areas', area, 'i18n')
    if (existsSync(d)) dirs.push(d)
  }
  return dirs
}

for (const dir of folders()) {
  test(`same keys in every language: ${dir.slice(src.length)}`, () => {
    const sets = {}
    for (const l of LOCALES) {
      const f = join(dir, l + '.json')
      expect(existsSync(f), `${f} is missing`).toBe(true)
      const msgs = JSON.parse(readFileSync(f, 'utf8'))
      sets[l] = new Set(keys(msgs))
      for (const k of sets[l]) {
        const v = k.split('.').reduce((o, p) => o[p], msgs)
        expect(typeof v === 'string' && v.trim() !== '', `${f}: ${k} is empty`).toBe(true)
      }
    }
    for (const a of LOCALES) for (const b of LOCALES) {
      const missing = [...sets[a]].filter((k) => !sets[b].has(k))
      expect(missing, `keys of ${a} missing from ${b}.json in ${dir}`).toEqual([])
    }
  })
}

// Every $t('...') / t('...') key used in the sources exists in both.
test('every key used in the sources exists', () => {
  const merged = Object.fromEntries(LOCALES.map((l) => [l, new Set()]))
  for (const l of LOCALES) {
    for (const k of keys(JSON.parse(readFileSync(join(src, 'i18n', l + '.json'), 'utf8')))) merged[l].add(k)
    for (const area of readdirSync(join(src, 'areas'))) {
      const f = join(src, 'areas', area, 'i18n', l + '.json')
      if (!existsSync(f)) continue
      for (const k of keys(JSON.parse(readFileSync(f, 'utf8')))) merged[l].add(area + '.' + k)
    }
  }
  const used = new Set()
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.(vue|js)$/.test(e.name)) {
        // comments (examples in them) left out
        const text = readFileSync(p, 'utf8').split('\n')
          .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line)).join('\n')
        // $t('a.b'), t('a.b'), title: 'a.b' in route meta
        for (const m of text.matchAll(/(?:\$t|\bt)\(\s*'([A-Za-z][\w-]*(?:\.[\w-]+)+)'/g)) used.add(m[1])
        for (const m of text.matchAll(/\b(?:title|group):\s*'([A-Za-z][\w-]*(?:\.[\w-]+)+)'/g)) used.add(m[1])
      }
    }
  }
  walk(src)
  for (const l of LOCALES) {
    const missing = [...used].filter((k) => !merged[l].has(k))
    expect(missing, `keys used in the sources but missing from ${l}`).toEqual([])
  }
})
