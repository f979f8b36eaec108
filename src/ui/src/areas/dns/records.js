// What the record pages share: the types Hangar manages and a hint of each
// type's value (the API checks them; the hint only helps to type them).
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT']
export const SERVER_TYPES = ['powerdns', 'bind']
export const TSIG_ALGORITHMS = ['hmac-md5', 'hmac-sha1', 'hmac-sha256', 'hmac-sha512']
export const DNS_WRITE = 'dns.manage_dns_server'

// The API base of a server, a domain, its records.
export const serverUrl = (sid) => `/dns-services/${sid}/`
export const domainUrl = (sid, did) => `/dns-services/${sid}/domains/${did}/`
export const recordsUrl = (sid, did) => `/dns-services/${sid}/domains/${did}/records/`

// A file the browser saves (export): a Blob URL, no inline script.
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/dns' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
