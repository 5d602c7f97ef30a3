/**
 * The WebAssembly the runtime carries (text-scan.generated.ts) is what text-scan.wat
 * assembles to: an edit of the .wat file without `npm run wasm` fails here.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { TEXT_SCAN_SOURCE, assembleTextScan } from "../../scripts/assemble-wasm.js";
import { TEXT_SCAN_WASM } from "../../src/runtime/serializers/text-scan.generated.js";

describe("the text-scan WebAssembly module", () => {
  it("is text-scan.wat assembled", async () => {
    const assembled = await assembleTextScan(await readFile(TEXT_SCAN_SOURCE, "utf8"));
    expect(Buffer.from(assembled).toString("base64")).toBe(TEXT_SCAN_WASM);
  });
});
