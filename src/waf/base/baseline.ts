/**
 * Rampart's built-in baseline rule set, used when no CRS is installed so that the gateway still
 * protects: SQL injection and XSS (libinjection-class detectors), path traversal, remote command
 * fragments, protocol violations and well-known scanners. It is deliberately small and blocks
 * directly (no anomaly scoring); `rampart crs install` gives the full OWASP CRS. Each rule carries
 * the module tag the config switches (`waf.modules.<name>`).
 */
export const BASELINE_VERSION = "rampart-baseline/1";

export interface BaselineFile {
  readonly module: string;
  readonly name: string;
  readonly text: string;
}

const header = (module: string) => `# Rampart baseline rules: ${module} (built in, not OWASP CRS)\n`;

export const BASELINE_FILES: readonly BaselineFile[] = [
  {
    module: "protocol-enforcement",
    name: "baseline/protocol-enforcement.conf",
    text: `${header("protocol-enforcement")}SecRule &REQUEST_HEADERS:Host "@eq 0" \\
    "id:9100100,phase:1,block,t:none,msg:'Request missing a Host header',tag:'rampart-baseline',tag:'protocol-enforcement',severity:'WARNING'"
SecRule REQUEST_URI_RAW|ARGS|ARGS_NAMES|REQUEST_HEADERS "@validateByteRange 1-255" \\
    "id:9100110,phase:2,block,t:none,msg:'NUL byte in request',tag:'rampart-baseline',tag:'protocol-enforcement',severity:'CRITICAL'"
`,
  },
  {
    module: "scanner-detection",
    name: "baseline/scanner-detection.conf",
    text: `${header("scanner-detection")}SecRule REQUEST_HEADERS:User-Agent "@pm nikto sqlmap nmap masscan nuclei dirbuster gobuster wpscan acunetix nessus w3af zgrab" \\
    "id:9100200,phase:1,block,t:none,t:lowercase,msg:'Security scanner detected',logdata:'%{MATCHED_VAR}',tag:'rampart-baseline',tag:'scanner-detection',severity:'CRITICAL'"
`,
  },
  {
    module: "lfi",
    name: "baseline/lfi.conf",
    text: `${header("lfi")}SecRule REQUEST_URI|ARGS|REQUEST_HEADERS:Referer "@rx (?:^|[\\\\/])\\.\\.(?:[\\\\/]|$)" \\
    "id:9100300,phase:2,block,t:none,t:urlDecodeUni,t:normalizePathWin,msg:'Path traversal attack',logdata:'%{MATCHED_VAR}',tag:'rampart-baseline',tag:'lfi',severity:'CRITICAL'"
SecRule ARGS|REQUEST_FILENAME "@rx (?:etc/(?:passwd|shadow|hosts)|win\\.ini|boot\\.ini|proc/self/environ)" \\
    "id:9100310,phase:2,block,t:none,t:urlDecodeUni,t:lowercase,t:normalizePath,msg:'OS file access attempt',logdata:'%{MATCHED_VAR}',tag:'rampart-baseline',tag:'lfi',severity:'CRITICAL'"
`,
  },
  {
    module: "rce",
    name: "baseline/rce.conf",
    text: `${header("rce")}SecRule ARGS "@rx (?:[;&|\`]|\\$\\()\\s*(?:cat|curl|wget|nc|bash|sh|id|uname|whoami|powershell)\\b" \\
    "id:9100400,phase:2,block,t:none,t:urlDecodeUni,t:cmdLine,msg:'Remote command execution attempt',logdata:'%{MATCHED_VAR}',tag:'rampart-baseline',tag:'rce',severity:'CRITICAL'"
`,
  },
  {
    module: "xss",
    name: "baseline/xss.conf",
    text: `${header("xss")}SecRule REQUEST_COOKIES|REQUEST_COOKIES_NAMES|REQUEST_HEADERS:Referer|ARGS_NAMES|ARGS|REQUEST_FILENAME "@detectXSS" \\
    "id:9100500,phase:2,block,t:none,t:utf8toUnicode,t:urlDecodeUni,t:htmlEntityDecode,t:jsDecode,t:cssDecode,t:removeNulls,msg:'XSS attack detected via libinjection',logdata:'%{MATCHED_VAR_NAME}',tag:'rampart-baseline',tag:'xss',severity:'CRITICAL'"
`,
  },
  {
    module: "sqli",
    name: "baseline/sqli.conf",
    text: `${header("sqli")}SecRule REQUEST_COOKIES|REQUEST_COOKIES_NAMES|REQUEST_HEADERS:Referer|ARGS_NAMES|ARGS|REQUEST_FILENAME "@detectSQLi" \\
    "id:9100600,phase:2,block,capture,t:none,t:utf8toUnicode,t:urlDecodeUni,t:removeNulls,msg:'SQL injection attack detected via libinjection',logdata:'fingerprint %{TX.0} in %{MATCHED_VAR_NAME}',tag:'rampart-baseline',tag:'sqli',severity:'CRITICAL'"
`,
  },
];
