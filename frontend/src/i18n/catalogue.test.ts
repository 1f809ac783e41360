import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { zh } from "./zh";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

function variables(text: string): string[] {
  return [...text.matchAll(/\{\{\s*-?\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? "").sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.includes(".test.") ? [path] : [];
  });
}

const EN = flatten(en);
const ZH = flatten(zh);

describe("message catalogues", () => {
  it("have the same keys in English and Simplified Chinese", () => {
    expect([...ZH.keys()].sort()).toEqual([...EN.keys()].sort());
  });

  it("have no empty message", () => {
    for (const [key, value] of [...EN, ...ZH]) expect(value.trim(), key).not.toBe("");
  });

  it("use the same interpolation variables in both languages", () => {
    for (const [key, value] of EN) expect(variables(ZH.get(key) ?? ""), key).toEqual(variables(value));
  });

  it("contain every literal key the source code asks for", () => {
    const root = join(__dirname, "..");
    const used = new Set<string>();
    for (const file of sourceFiles(root)) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bt\(\s*"([\w.]+)"/g)) used.add(m[1] ?? "");
    }
    const known = new Set([...EN.keys()].map((k) => k.replace(/_(one|other)$/, "")));
    const missing = [...used].filter((k) => !known.has(k));
    expect(used.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it("translate every status, pin kind and block category", () => {
    for (const status of [
      "INCOMPLETE",
      "QUEUED",
      "RUNNING",
      "WAITING",
      "COMPLETED",
      "FAILED",
      "TERMINATED",
    ]) {
      expect(ZH.get(`status.${status}`)).toBeTruthy();
    }
    expect(Object.keys(en.pinKind)).toHaveLength(8);
    expect(Object.keys(en.category)).toHaveLength(19);
  });
});
