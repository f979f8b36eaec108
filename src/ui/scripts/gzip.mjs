// After `vite build`: a .gz beside each text file of the build, for nginx's
// gzip_static (the files are compressed once, at the best level, instead
// of on every request).
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync, constants } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const out = process.env.HANGAR_UI_OUT ||
  fileURLToPath(new URL('../../../build/ui', import.meta.url))
let files = 0, raw = 0, packed = 0

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) { walk(p); continue }
    if (!/\.(js|css|html|json|svg|txt)$/.test(name)) continue
    const data = readFileSync(p)
    const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
    writeFileSync(p + '.gz', gz)
    files++; raw += data.length; packed += gz.length
  }
}
walk(out)
console.log(`gzip: ${files} files, ${raw} bytes -> ${packed} bytes gzip (${out})`)
