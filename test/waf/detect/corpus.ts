/**
 * Inputs for the detector tests: payloads from the CRS regression tests (read from ../shared at
 * test time, never copied), benign text a web shop sees, and a token alphabet for random and
 * mutated strings.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { crsDir } from "../../support/shared.js";

/**
 * Percent-decoding as t:urlDecodeUni does it on bytes: %HH, %uHHHH (low byte), '+' as space;
 * invalid escapes stay as they are.
 */
export function urlDecode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "+") {
      out += " ";
    } else if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "%" && /^[uU][0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 6))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 4, i + 6), 16));
      i += 5;
    } else {
      out += c;
    }
  }
  return out;
}

/** Text with chars above 0xFF (YAML \u escapes, typographic quotes) as the UTF-8 bytes a request carries. */
export function toBytes(s: string): string {
  return /[^\u0000-\u00ff]/.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s;
}

/** Argument names and values of a query string or urlencoded body, decoded once and twice. */
function argsOf(raw: string): string[] {
  const out: string[] = [];
  for (const pair of raw.split("&")) {
    const eq = pair.indexOf("=");
    for (const part of eq < 0 ? [pair] : [pair.slice(0, eq), pair.slice(eq + 1)]) {
      if (part === "") continue;
      const once = urlDecode(toBytes(part));
      out.push(once);
      const twice = urlDecode(once);
      if (twice !== once) out.push(twice);
    }
  }
  return out;
}

function walkYaml(dir: string, pick: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walkYaml(p, pick));
    else if (entry.name.endsWith(".yaml") && pick(entry.name)) files.push(p);
  }
  return files;
}

interface FtwInput {
  readonly uri?: unknown;
  readonly data?: unknown;
  readonly headers?: Record<string, unknown>;
}

/**
 * ARGS-ish payloads of the CRS tests of the given rules (file names `<id>.yaml`): the query string
 * and body arguments, plus User-Agent / Referer / Cookie values, URL-decoded as the rules' transforms
 * would. Latin-1 byte strings, duplicates removed.
 */
export function crsPayloads(ruleIds: readonly string[] | "all-941-942"): string[] {
  const pick =
    ruleIds === "all-941-942"
      ? (n: string) => /^94[12]\d{3}\.yaml$/.test(n)
      : (n: string) => ruleIds.includes(n.replace(/\.yaml$/, ""));
  const out = new Set<string>();
  for (const file of walkYaml(join(crsDir, "tests"), pick)) {
    const doc = parse(readFileSync(file, "latin1")) as { tests?: { stages?: { input?: FtwInput }[] }[] };
    for (const test of doc.tests ?? []) {
      for (const stage of test.stages ?? []) {
        const input = stage.input;
        if (input === undefined) continue;
        if (typeof input.uri === "string") {
          const q = input.uri.indexOf("?");
          if (q >= 0) for (const a of argsOf(input.uri.slice(q + 1))) out.add(a);
        }
        if (typeof input.data === "string") for (const a of argsOf(input.data)) out.add(a);
        for (const [name, value] of Object.entries(input.headers ?? {})) {
          if (typeof value !== "string") continue;
          const h = name.toLowerCase();
          if (h === "cookie") for (const a of argsOf(value.replaceAll("; ", "&"))) out.add(a);
          else if (h === "user-agent" || h === "referer") out.add(urlDecode(toBytes(value)));
        }
      }
    }
  }
  return [...out];
}

const SENTENCES = [
  "The quick brown fox jumps over the lazy dog.",
  "I'd like to return my order, it arrived damaged.",
  "Where's my package? It's been 3 days.",
  "Please deliver between 9am and 5pm - ring the bell twice.",
  "Great product!!! 5/5 would buy again :-)",
  "Do you ship to Côte d'Ivoire or São Paulo?",
  "Size 42 (EU) = 8.5 (US); width: normal",
  "Can I pay with PayPal or a gift card #1234-5678?",
  "Is this item in stock at the Main St. & 5th Ave store?",
  "Select the size and color, then add to cart.",
  "Order by phone: +1 (555) 010-9999, or drop us a line.",
  "Table for 2 at 7:30? Union Square location, please.",
  "Use code SUMMER-20 for 20% off (not valid with other offers).",
  "He said \"it's fine\" but it wasn't.",
  "Update: the delivery was delayed; new ETA is Friday.",
  "Temperature: -5°C to +30°C, water resistant to 50m",
  "1/2 cup sugar, 2 eggs, 3-4 apples",
  "Is it 100% cotton or a blend?",
  "Return window: 30 days; exchanges are free.",
  "I can't log in -- the password reset link expired.",
  "It’s the “best” café in town 😀",
  "¿Dónde está mi pedido? — gracias",
  "红色鞋子 42号",
];
const PRODUCTS = [
  "O'Reilly's cookbook",
  "Levi's 501 Original Fit Jeans",
  "Ben & Jerry's Chunky Monkey",
  "Children's Tylenol 160mg/5mL",
  "Men's Nike Air Max 90 - Size 10.5",
  "Dr. Martens 1460 8-Eye Boot",
  "Women's V-neck T-shirt (3-pack)",
  "Apple iPhone 15 Pro Max 256GB",
  'Samsung 65" QLED 4K TV',
  "Rock 'n' Roll Greatest Hits",
  "Hershey's Kisses, 25.5 oz",
  "L'Oréal Paris Revitalift",
  "Trader Joe's Everything but the Bagel",
  "AT&T Prepaid SIM",
  "M&M's Peanut, Share Size",
  'Toys"R"Us Gift Card',
  "Kellogg's Frosted Flakes 24oz",
  'Wilson NFL "The Duke" Football',
  "3M Command Strips, 16 pairs",
  "Select Comfort Sleep Number c2",
];
const JSONS = [
  '{"sku":"AB-123","qty":2,"gift":false}',
  '{"address":{"line1":"1 Main St.","city":"Paris","zip":"75001"}}',
  '[{"id":1,"name":"O\'Reilly"},{"id":2,"name":"Smith"}]',
  '{"query":"red shoes","filters":{"size":[42,43],"price":{"min":10,"max":99.5}}}',
  '{"comment":"Love it! <3","rating":5}',
  '{"email":"jane.doe+shop@example.co.uk","opt_in":true}',
  '{"cart":[],"coupon":null,"note":"leave at door; back porch"}',
];
const EMAILS = [
  "john.doe@example.com",
  "jane_o'neil@example.org",
  "first.last+tag@sub.example.co.uk",
  "user-123@example.io",
  '"quoted name"@example.com',
  "admin@localhost",
];
const OTHER = [
  "2024-05-01T12:30:00Z",
  "https://shop.example.com/products/red-shoes?ref=home&utm_source=mail",
  "/account/orders/12345",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "en-US,en;q=0.9,fr;q=0.8",
  "sessionid=abc123; theme=dark",
  "12345",
  "-1",
  "3.14",
  "true",
  "<b>Bold</b> and <i>italic</i> are allowed in reviews",
  "5 < 6 and 7 > 3",
  "a-b-c--d",
  "C:\\Users\\me\\Documents\\invoice.pdf",
  "#hashtag @mention",
  "SELECT your size",
  "Union Jack flag",
];

/** Benign text: sentences, product names with apostrophes, JSON, e-mail addresses and combinations. */
export function benignCorpus(): string[] {
  const base = [...SENTENCES, ...PRODUCTS, ...JSONS, ...EMAILS, ...OTHER];
  const out = new Set(base);
  // Pairwise combinations, as free-text fields mix them.
  for (let i = 0; i < base.length; i++) {
    for (let j = 0; j < base.length; j += 7) out.add(`${base[i]} ${base[(i + j) % base.length]}`);
  }
  // Non-ASCII text travels as UTF-8.
  return [...out].map((s) => Buffer.from(s, "utf8").toString("latin1"));
}

/** Fragments that steer random strings into the tokenizers' interesting paths. */
export const TOKENS = [
  "'",
  '"',
  "`",
  " ",
  "1",
  "0",
  "x",
  "a",
  "n",
  "e",
  "E",
  ".",
  "-",
  "#",
  "/",
  "*",
  "!",
  "(",
  ")",
  ",",
  ";",
  "=",
  "<",
  ">",
  "|",
  "&",
  "@",
  "$",
  "\\",
  "[",
  "]",
  "{",
  "}",
  ":",
  "?",
  "%",
  "+",
  "~",
  "^",
  "\t",
  "\n",
  "\r",
  "\f",
  "\u000b",
  "\u0000",
  "\u00a0",
  "\u00ff",
  "\u0080",
  "q",
  "N",
  "X",
  "b",
  "u",
  "select",
  "union",
  "or",
  "and",
  "from",
  "where",
  "1=1",
  "--",
  "/*",
  "*/",
  "/*!",
  "sleep(",
  "if(",
  "case",
  "when",
  "not",
  "in",
  "like",
  "null",
  "version",
  "@@",
  "into",
  "outfile",
  "exec",
  "waitfor",
  "delay",
  "order by",
  "group by",
  "having",
  "char(",
  "concat(",
  "user",
  "database()",
  "collate",
  "utf8_bin",
  "is",
  "between",
  "::",
  "int",
  "varchar",
  "declare",
  "begin",
  "sp_password",
  "0x41",
  "1e5",
  "1.e",
  "$$",
  "$a$",
  "N'",
  "q'[",
  "u&'",
  "x'41'",
  "b'01'",
  "\\N",
  "script",
  "img",
  "src=",
  "href=",
  "on",
  "onerror=",
  "javascript:",
  "&#",
  "&#x",
  "svg",
  "style",
  "<!--",
  "-->",
  "<!DOCTYPE",
  "<?",
  "<%",
  "%>",
  "[if",
  "xml",
  "import",
  "entity",
  "data:",
  "vbscript",
  "/>",
  "xmlns",
  "attributename",
  "iframe",
  "&#106",
  "java",
];

/** Random strings: token sequences, ASCII, raw bytes. */
export const randomInput: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((a) => a.join("")),
  fc.string({ unit: "binary-ascii", maxLength: 30 }),
  fc.uint8Array({ maxLength: 24 }).map((u) => Buffer.from(u).toString("latin1")),
);

/** Mutations of a seed: insert a token, delete or replace a byte, change case, truncate. */
export function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...(seeds.length > 0 ? seeds : ["1' or '1'='1"]));
  const edit = fc.tuple(fc.nat(), fc.nat(4), fc.constantFrom(...TOKENS), fc.integer({ min: 0, max: 255 }));
  return fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([s, edits]) => {
    for (const [at, kind, token, byte] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (kind === 0) s = s.slice(0, i) + token + s.slice(i);
      else if (kind === 1) s = s.slice(0, i) + s.slice(i + 1);
      else if (kind === 2) s = s.slice(0, i) + String.fromCharCode(byte) + s.slice(i + 1);
      else if (kind === 3)
        s = s.slice(0, i) + s.slice(i, i + 8).replace(/[a-z]/g, (c) => c.toUpperCase()) + s.slice(i + 8);
      else s = s.slice(0, i);
    }
    return s;
  });
}
