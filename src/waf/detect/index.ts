/**
 * SQL-injection and XSS detectors (libinjection-class), for the @detectSQLi and @detectXSS
 * operators. Pure functions over byte strings; they never throw and run in linear time.
 */
export { detectSqli, type SqliResult } from "./sqli.js";
export { detectXss } from "./xss.js";
