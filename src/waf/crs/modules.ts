/**
 * WAF modules: the unit in which operators switch protection on and off, and in which the gateway
 * attests what is live. A module is a family of CRS rule files (by the file's number); the
 * infrastructure files (initialisation, common exceptions) are not modules and always load,
 * because without them no other rule works.
 */

export interface WafModule {
  readonly name: string;
  readonly description: string;
  /** CRS file numbers (REQUEST-942-..., RESPONSE-951-...). */
  readonly files: readonly number[];
}

export const WAF_MODULES: readonly WafModule[] = [
  { name: "method-enforcement", description: "HTTP methods outside the allowed list", files: [911] },
  { name: "scanner-detection", description: "security scanners and bots by user agent", files: [913] },
  { name: "protocol-enforcement", description: "HTTP protocol violations and anomalies", files: [920] },
  {
    name: "protocol-attack",
    description: "request smuggling, response splitting, header injection",
    files: [921],
  },
  { name: "multipart-attack", description: "multipart/form-data evasion", files: [922] },
  { name: "lfi", description: "local file inclusion, path traversal", files: [930] },
  { name: "rfi", description: "remote file inclusion", files: [931] },
  { name: "rce", description: "remote command execution (Unix and Windows shells)", files: [932] },
  { name: "php", description: "PHP injection", files: [933] },
  {
    name: "generic",
    description: "generic attacks (Node.js, Perl, Ruby, SSRF, prototype pollution)",
    files: [934],
  },
  { name: "xss", description: "cross-site scripting", files: [941] },
  { name: "sqli", description: "SQL injection", files: [942] },
  { name: "session-fixation", description: "session fixation", files: [943] },
  { name: "java", description: "Java attacks (deserialisation, Log4Shell, Spring)", files: [944] },
  { name: "data-leakages", description: "responses leaking errors and directory listings", files: [950] },
  { name: "data-leakages-sql", description: "responses leaking SQL errors", files: [951] },
  { name: "data-leakages-java", description: "responses leaking Java errors and source", files: [952] },
  { name: "data-leakages-php", description: "responses leaking PHP errors and source", files: [953] },
  { name: "data-leakages-iis", description: "responses leaking IIS errors", files: [954] },
  { name: "web-shells", description: "responses that come from a web shell", files: [955] },
  { name: "data-leakages-ruby", description: "responses leaking Ruby errors", files: [956] },
  {
    name: "anomaly-blocking",
    description: "blocks once the anomaly score passes the threshold",
    files: [949, 959],
  },
  { name: "correlation", description: "request/response correlation and reporting", files: [980] },
];

/** CRS files that always load: rules in other files depend on what they set up. */
export const INFRASTRUCTURE_FILES: readonly number[] = [901, 905, 999];

export function moduleOfFile(fileNumber: number): WafModule | undefined {
  return WAF_MODULES.find((m) => m.files.includes(fileNumber));
}

export function findModule(name: string): WafModule | undefined {
  return WAF_MODULES.find((m) => m.name === name);
}

/** `REQUEST-942-APPLICATION-ATTACK-SQLI.conf` -> 942, or undefined for other file names. */
export function crsFileNumber(fileName: string): number | undefined {
  const m = /(?:^|[/\\])(?:REQUEST|RESPONSE)-(\d{3})-[^/\\]*\.conf$/.exec(fileName);
  return m ? Number(m[1]) : undefined;
}
