/**
 * Docstrings read in the three common styles — Sphinx/reST fields (`:param x:`, `:type x:`,
 * `:rtype:`, `:raises E:`, also epydoc's `@param`), Google sections (`Args:`, `Returns:`,
 * `Yields:`, `Raises:`) and NumPy sections (`Parameters` over a `----------` line) — into a
 * summary, a description, and per-parameter / return / yield / raise entries. Types written
 * there are text; `docTypeText` turns the usual prose forms into type expressions.
 */
import { cleanDocstring } from "./python-strings.js";

/** A documented value: its type text (if written) and its description. */
export interface DocEntry {
  readonly type: string | undefined;
  readonly description: string;
}

/** A parsed docstring. */
export interface Docstring {
  /** The first paragraph. */
  readonly summary: string;
  /** Everything else that is not a recognised section. */
  readonly description: string;
  readonly params: ReadonlyMap<string, DocEntry>;
  readonly returns: DocEntry | undefined;
  readonly yields: DocEntry | undefined;
  readonly raises: readonly { readonly type: string; readonly description: string }[];
}

const GOOGLE_SECTIONS: Readonly<Record<string, SectionKind>> = {
  args: "params",
  arguments: "params",
  parameters: "params",
  params: "params",
  "keyword args": "params",
  "keyword arguments": "params",
  "other parameters": "params",
  returns: "returns",
  return: "returns",
  yields: "yields",
  yield: "yields",
  raises: "raises",
  raise: "raises",
  exceptions: "raises",
};

type SectionKind = "params" | "returns" | "yields" | "raises";

/** Parse a raw docstring (as written between the quotes). */
export function parseDocstring(raw: string): Docstring {
  const lines = cleanDocstring(raw).split("\n");
  const params = new Map<string, { type?: string; description: string }>();
  const raises: { type: string; description: string }[] = [];
  let returns: { type?: string; description: string } | undefined;
  let yields: { type?: string; description: string } | undefined;
  const free: string[] = [];

  const param = (name: string): { type?: string; description: string } => {
    const clean = name.replace(/^\*+/, "");
    let entry = params.get(clean);
    if (entry === undefined) {
      entry = { description: "" };
      params.set(clean, entry);
    }
    return entry;
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    // reST / epydoc field: `:param type name: text`, `@param name: text`.
    const field = /^[:@](\w+)(?:\s+([^:]+?))?\s*:\s*(.*)$/.exec(line);
    if (field !== null && FIELD_NAMES.has(field[1]!)) {
      const [kind, arg, first] = [field[1]!, field[2]?.trim(), field[3]!];
      const { text, next } = continuation(lines, i + 1, indentOf(line) + 1);
      const body = joinText([first, text]);
      i = next;
      switch (kind) {
        case "param":
        case "parameter":
        case "arg":
        case "argument":
        case "key":
        case "keyword": {
          if (arg === undefined) break;
          const parts = arg.split(/\s+/);
          const name = parts.pop()!;
          const entry = param(name);
          entry.description = body;
          if (parts.length > 0) entry.type = parts.join(" ");
          break;
        }
        case "type":
          if (arg !== undefined) param(arg).type = body;
          break;
        case "returns":
        case "return":
          returns = { ...returns, description: body };
          break;
        case "rtype":
          returns = { description: returns?.description ?? "", type: body };
          break;
        case "yields":
        case "yield":
          yields = { ...yields, description: body };
          break;
        case "ytype":
          yields = { description: yields?.description ?? "", type: body };
          break;
        case "raises":
        case "raise":
        case "except":
        case "exception":
          for (const type of (arg ?? "").split(/\s*,\s*|\s+or\s+/).filter((t) => t !== "")) {
            raises.push({ type, description: body });
          }
          break;
      }
      continue;
    }
    // Google (`Args:`) or NumPy (`Parameters` + dashes) section header.
    const google = /^(\s*)([A-Za-z][A-Za-z ]*):\s*$/.exec(line);
    const numpy =
      /^(\s*)([A-Za-z][A-Za-z ]*)\s*$/.exec(line) !== null &&
      /^\s*-{3,}\s*$/.test(lines[i + 1] ?? "");
    const header = google?.[2] ?? (numpy ? line.trim() : undefined);
    const kind = header === undefined ? undefined : GOOGLE_SECTIONS[header.toLowerCase()];
    if (kind !== undefined) {
      const start = numpy ? i + 2 : i + 1;
      const { entries, next } = numpy
        ? numpySection(lines, start, indentOf(line), kind)
        : googleSection(lines, start, indentOf(line), kind);
      i = next;
      for (const entry of entries) {
        if (kind === "params") {
          for (const name of entry.name.split(/\s*,\s*/)) {
            const target = param(name);
            target.description = entry.description;
            if (entry.type !== undefined) target.type = entry.type;
          }
        } else if (kind === "raises") {
          raises.push({ type: entry.type ?? entry.name, description: entry.description });
        } else {
          const value = { type: entry.type, description: entry.description };
          if (kind === "returns") returns = value;
          else yields = value;
        }
      }
      continue;
    }
    free.push(line);
    i += 1;
  }

  const text = free.join("\n").trim();
  const split = text.search(/\n\s*\n/);
  const summary = (split < 0 ? text : text.slice(0, split)).replace(/\s*\n\s*/g, " ").trim();
  const description = split < 0 ? "" : text.slice(split).trim();
  const finish = (
    entry: { type?: string; description: string } | undefined,
  ): DocEntry | undefined =>
    entry === undefined ? undefined : { type: entry.type, description: entry.description };
  return {
    summary,
    description,
    params: new Map([...params].map(([name, entry]) => [name, finish(entry)!])),
    returns: finish(returns),
    yields: finish(yields),
    raises,
  };
}

const FIELD_NAMES = new Set([
  "param",
  "parameter",
  "arg",
  "argument",
  "key",
  "keyword",
  "type",
  "returns",
  "return",
  "rtype",
  "yields",
  "yield",
  "ytype",
  "raises",
  "raise",
  "except",
  "exception",
]);

interface SectionEntry {
  readonly name: string;
  readonly type: string | undefined;
  readonly description: string;
}

/** Google section: `name (type): text` per entry; Returns/Yields: `type: text`. */
function googleSection(
  lines: readonly string[],
  start: number,
  headerIndent: number,
  kind: SectionKind,
): { entries: SectionEntry[]; next: number } {
  let next = start;
  while (next < lines.length) {
    const line = lines[next]!;
    if (line.trim() !== "" && indentOf(line) <= headerIndent) break;
    next += 1;
  }
  const body = lines.slice(start, next).filter((line) => line.trim() !== "");
  if (body.length === 0) return { entries: [], next };
  if (kind === "returns" || kind === "yields") {
    const [first, ...rest] = body.map((line) => line.trim());
    const typed = /^([^:]+?):\s*(.*)$/.exec(first!);
    const type = typed !== null && looksLikeTypeText(typed[1]!) ? typed[1]!.trim() : undefined;
    const description = joinText([type === undefined ? first! : typed![2]!, ...rest]);
    return { entries: [{ name: "", type, description }], next };
  }
  const entries: SectionEntry[] = [];
  const entryIndent = indentOf(body[0]!);
  for (const line of body) {
    const content = line.trim();
    if (indentOf(line) > entryIndent && entries.length > 0) {
      const last = entries[entries.length - 1]!;
      entries[entries.length - 1] = { ...last, description: joinText([last.description, content]) };
      continue;
    }
    const entry = /^(\*{0,2}[\w.,\s]+?)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$/.exec(content);
    if (entry === null) continue;
    const type = entry[2]?.replace(/,?\s*optional\s*$/i, "").trim();
    entries.push({
      name: entry[1]!.trim(),
      type: kind === "raises" ? entry[1]!.trim() : type === "" ? undefined : type,
      description: entry[3]!.trim(),
    });
  }
  return { entries, next };
}

/** NumPy section: `name : type` lines at the header's indent, descriptions indented. */
function numpySection(
  lines: readonly string[],
  start: number,
  headerIndent: number,
  kind: SectionKind,
): { entries: SectionEntry[]; next: number } {
  const entries: SectionEntry[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (/^\s*-{3,}\s*$/.test(lines[i + 1] ?? "")) break; // the next section's header
    if (indentOf(line) > headerIndent && entries.length > 0) {
      const last = entries[entries.length - 1]!;
      entries[entries.length - 1] = { ...last, description: joinText([last.description, line]) };
      continue;
    }
    const colon = /^(.+?)\s+:\s*(.*)$/.exec(line.trim());
    // Returns/Yields entries may be a bare type; Raises entries are bare class names.
    const bare = kind === "returns" || kind === "yields" || kind === "raises";
    const name = colon === null ? (bare ? "" : line.trim()) : colon[1]!;
    const typeText = colon === null ? (bare ? line.trim() : "") : colon[2]!;
    const type = typeText.replace(/,?\s*optional\s*$/i, "").trim();
    entries.push({ name, type: type === "" ? undefined : type, description: "" });
  }
  return { entries, next: i };
}

/** True for a short `list[str]`-like text rather than a sentence. */
function looksLikeTypeText(text: string): boolean {
  const t = text.trim();
  return t !== "" && t.length <= 80 && !/[.!?]$/.test(t) && t.split(/\s+/).length <= 5;
}

/** The indented lines after an entry, joined; `next` is the first line after them. */
function continuation(
  lines: readonly string[],
  from: number,
  minIndent: number,
): { text: string; next: number } {
  const parts: string[] = [];
  let i = from;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      if (indentOf(lines[i + 1] ?? "") >= minIndent && (lines[i + 1] ?? "").trim() !== "") {
        parts.push("");
        i += 1;
        continue;
      }
      break;
    }
    if (indentOf(line) < minIndent) break;
    parts.push(line.trim());
    i += 1;
  }
  return { text: parts.join(" ").replace(/ {2,}/g, " ").trim(), next: i };
}

function joinText(parts: readonly string[]): string {
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join(" ");
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

// Prose words for types, as docstrings often write them.
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "str",
  strings: "str",
  strs: "str",
  integer: "int",
  integers: "int",
  ints: "int",
  boolean: "bool",
  booleans: "bool",
  bools: "bool",
  floats: "float",
  number: "float",
  numbers: "float",
  dicts: "dict",
  lists: "list",
  none: "None",
};

/**
 * A docstring type in prose turned into a type expression: `list of str` → `list[str]`,
 * `str or None` → `str | None`, `int, optional` → `int`, `dict of str to int` →
 * `dict[str, int]`. Text that is already an expression is returned as it is.
 */
export function docTypeText(text: string): string {
  const t = text
    .trim()
    .replace(/`+/g, "")
    .replace(/:(?:py:)?(?:class|obj|data):/g, "")
    .replace(/^~/, "")
    .replace(/,?\s*optional$/i, "")
    .trim();
  if (/\sor\s/.test(t))
    return t
      .split(/\s+or\s+/)
      .map(docTypeText)
      .join(" | ");
  const dictOf = /^(?:dict|mapping)\s+(?:of|from)\s+(.+?)\s+to\s+(.+)$/i.exec(t);
  if (dictOf !== null) return `dict[${docTypeText(dictOf[1]!)}, ${docTypeText(dictOf[2]!)}]`;
  const containerOf = /^(list|set|frozenset|tuple|iterator|iterable|sequence)\s+of\s+(.+)$/i.exec(
    t,
  );
  if (containerOf !== null) {
    const item = docTypeText(containerOf[2]!);
    switch (containerOf[1]!.toLowerCase()) {
      case "tuple":
        return `tuple[${item}, ...]`;
      case "iterator":
        return `Iterator[${item}]`;
      case "iterable":
        return `Iterable[${item}]`;
      case "sequence":
        return `list[${item}]`;
      default:
        return `${containerOf[1]!.toLowerCase()}[${item}]`;
    }
  }
  return TYPE_WORDS[t.toLowerCase()] ?? t;
}
