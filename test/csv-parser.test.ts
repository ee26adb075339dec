import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvParser, UnclosedQuoteError } from "../src/etl/read/csv-parser.js";
import { Rng } from "../src/generate/rng.js";

interface Parsed {
  fields: string[];
  line: number;
  raw: string;
}

/** Parses `text` fed in pieces of `size` characters (1 = char by char). */
function parseAll(text: string, size = text.length || 1, delimiter = ","): Parsed[] {
  const out: Parsed[] = [];
  const parser = new CsvParser(delimiter, (fields, line, raw) => out.push({ fields, line, raw }));
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  parser.end();
  return out;
}

describe("CsvParser", () => {
  it("splits fields and records, LF and CRLF, with start lines and original text", () => {
    const text = 'a,b,c\r\n1,"x, y",3\r\n\r\n4,"say ""hi""",6\n7,"multi\nline",9\n10,11,12';
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(parseAll(text, size)).toEqual([
        { fields: ["a", "b", "c"], line: 1, raw: "a,b,c" },
        { fields: ["1", "x, y", "3"], line: 2, raw: '1,"x, y",3' },
        { fields: ["4", 'say "hi"', "6"], line: 4, raw: '4,"say ""hi""",6' },
        { fields: ["7", "multi\nline", "9"], line: 5, raw: '7,"multi\nline",9' },
        { fields: ["10", "11", "12"], line: 7, raw: "10,11,12" },
      ]);
    }
  });

  it("skips blank and whitespace-only lines but counts them", () => {
    expect(parseAll("h\n\n   \n\t\nv\n").map((r) => [r.fields, r.line])).toEqual([
      [["h"], 1],
      [["v"], 5],
    ]);
  });

  it("keeps empty fields and ragged rows as they are", () => {
    expect(parseAll("a,b,c\n,,\n1\n1,2,3,4\n").map((r) => r.fields)).toEqual([
      ["a", "b", "c"],
      ["", "", ""],
      ["1"],
      ["1", "2", "3", "4"],
    ]);
  });

  it("treats a quote inside an unquoted field as text, and text after a closing quote as data", () => {
    expect(parseAll('a,b\n12" monitor,"ab"c\n').map((r) => r.fields)).toEqual([
      ["a", "b"],
      ['12" monitor', "abc"],
    ]);
  });

  it("reads ; as the delimiter when told to", () => {
    expect(parseAll("a;b\n1,5;2\n", 100, ";").map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1,5", "2"],
    ]);
  });

  it("reports the line where an unclosed quote opens", () => {
    expect(() => parseAll('a,b\n1,2\n3,"open\n4,5\n', 4)).toThrow(UnclosedQuoteError);
    try {
      parseAll('a,b\n1,2\n\n3,"open\n4,5\n');
    } catch (error) {
      expect((error as UnclosedQuoteError).line).toBe(4);
    }
  });

  it("skips records exactly: the records after a skip are those of a full parse", () => {
    const rng = new Rng("csv-skip");
    const pieces = ["a", "1", " ", "é", '"', ",", "\n", "\r\n", "\n\n", "  \n", "x y"];
    for (let round = 0; round < 10_000; round++) {
      let text = "";
      for (let k = rng.int(0, 60); k > 0; k--) text += rng.pick(pieces);
      let all: Parsed[];
      try {
        all = parseAll(text);
      } catch {
        continue; // an unclosed quote
      }
      // Keep a random subset, skipping the records in between.
      const wanted = all.filter(() => rng.chance(0.3));
      const out: Parsed[] = [];
      const lineAfter = (k: number) => wanted[k]?.line ?? 2 ** 30;
      const parser = new CsvParser(",", (fields, line, raw) => {
        out.push({ fields, line, raw });
        parser.skipTo(lineAfter(out.length));
      });
      parser.skipTo(lineAfter(0));
      const size = rng.int(1, 20);
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      parser.end();
      expect(out).toEqual(wanted);
    }
  });

  it("passes over records up to a quoted field cut by the end of a buffer, then reads on", () => {
    const text = '1""é \n\n,"1,\n\n"a \n\n"\na  \n ééa\n,"\n\naé\n"\n ,,"a\r\n';
    const lines: number[] = [];
    const parser = new CsvParser(",", (_fields, line) => lines.push(line));
    parser.skipTo(13);
    for (let i = 0; i < text.length; i += 15) parser.push(text.slice(i, i + 15));
    parser.end();
    expect(lines).toEqual([13]);
  });

  it("agrees with csv-parse, record for record, on random messy CSV", () => {
    const rng = new Rng("csv-fuzz");
    const pieces = ["a", "b", "1", " ", "é", '"', ",", "\n", "\r\n", "x y", "€"];
    for (let round = 0; round < 300; round++) {
      const rows: string[] = [];
      const rowCount = rng.int(1, 8);
      for (let r = 0; r < rowCount; r++) {
        const fields: string[] = [];
        const fieldCount = rng.int(1, 4);
        for (let f = 0; f < fieldCount; f++) {
          let value = "";
          const length = rng.int(0, 5);
          for (let k = 0; k < length; k++) value += rng.pick(pieces);
          const needsQuotes = /[",\r\n]/.test(value) || rng.chance(0.2);
          fields.push(needsQuotes ? `"${value.replaceAll('"', '""')}"` : value);
        }
        rows.push(fields.join(","));
      }
      // One line-end style per file: csv-parse fixes the record delimiter from the first
      // line, while this parser accepts LF and CRLF anywhere (the contract's rule).
      const eol = rng.chance(0.5) ? "\n" : "\r\n";
      const text = `${rows.join(eol)}${eol}`;
      const expected = (
        parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]
      ).filter((fields) => !(fields.length === 1 && (fields[0] as string).trim() === ""));
      expect(parseAll(text, rng.int(1, 20)).map((r) => r.fields)).toEqual(expected);
    }
  });
});
