/**
 * Printing remote names on a terminal: names a daemon reports may contain control or
 * invisible characters, so anything but a plain printable name is shown JSON-escaped.
 */

/** `name` as it is when printable ASCII without spaces, else as an escaped JSON string. */
export function displayName(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && !name.startsWith('"')
    ? name
    : JSON.stringify(name).replace(
        /[^\x20-\x7e]/g,
        (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
}

/** An aligned text table with a header row and a rule under it. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  return (
    [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n"
  );
}
