/** Docstrings in the reST, epydoc, Google and NumPy styles, and types written as prose. */
import { describe, expect, it } from "vitest";
import { docTypeText, parseDocstring } from "../../../src/codegen/source/docstrings.js";

const entries = (doc: ReturnType<typeof parseDocstring>) => Object.fromEntries(doc.params);

describe("parseDocstring", () => {
  it("reads reST fields: params with inline or separate types, returns, rtype, raises", () => {
    const doc = parseDocstring(`Start a song.

      Longer text
      over two lines.

      :param str song: the title,
          continued here
      :param loop: repeat it
      :type loop: bool
      :returns: a description
      :rtype: str
      :raises PlaybackError, KeyError: when it is missing
      `);
    expect(doc.summary).toBe("Start a song.");
    expect(doc.description).toBe("Longer text\nover two lines.");
    expect(entries(doc)).toEqual({
      song: { type: "str", description: "the title, continued here" },
      loop: { type: "bool", description: "repeat it" },
    });
    expect(doc.returns).toEqual({ type: "str", description: "a description" });
    expect(doc.raises).toEqual([
      { type: "PlaybackError", description: "when it is missing" },
      { type: "KeyError", description: "when it is missing" },
    ]);
  });

  it("reads epydoc's @param/@type/@return/@rtype", () => {
    const doc = parseDocstring(
      "Sum.\n\n@param a: first\n@type a: int\n@return: the sum\n@rtype: int\n",
    );
    expect(entries(doc)).toEqual({ a: { type: "int", description: "first" } });
    expect(doc.returns).toEqual({ type: "int", description: "the sum" });
  });

  it("reads Google sections, including *args and continuation lines", () => {
    const doc = parseDocstring(`Play.

      Args:
          song (str): the title
              of the song.
          loop (bool, optional): repeat it.
          *extra (int): more.

      Yields:
          str: each title.

      Raises:
          PlaybackError: when missing.
      `);
    expect(entries(doc)).toEqual({
      song: { type: "str", description: "the title of the song." },
      loop: { type: "bool", description: "repeat it." },
      extra: { type: "int", description: "more." },
    });
    expect(doc.yields).toEqual({ type: "str", description: "each title." });
    expect(doc.raises).toEqual([{ type: "PlaybackError", description: "when missing." }]);
  });

  it("keeps a Google Returns section without a type as a description", () => {
    expect(
      parseDocstring("X.\n\nReturns:\n    The number of songs that are queued now.\n").returns,
    ).toEqual({
      type: undefined,
      description: "The number of songs that are queued now.",
    });
  });

  it("reads NumPy sections", () => {
    const doc = parseDocstring(`Play.

      Parameters
      ----------
      song : str
          The title.
      loop : bool, optional
          Repeat.

      Returns
      -------
      list of str
          The songs.

      Raises
      ------
      PlaybackError
          When missing.
      `);
    expect(entries(doc)).toEqual({
      song: { type: "str", description: "The title." },
      loop: { type: "bool", description: "Repeat." },
    });
    expect(doc.returns).toEqual({ type: "list of str", description: "The songs." });
    expect(doc.raises).toEqual([{ type: "PlaybackError", description: "When missing." }]);
  });

  it("treats a plain docstring as summary and description", () => {
    const doc = parseDocstring("One line.");
    expect(doc).toMatchObject({
      summary: "One line.",
      description: "",
      returns: undefined,
      raises: [],
    });
    expect(doc.params.size).toBe(0);
  });
});

describe("docTypeText", () => {
  it.each([
    ["list of str", "list[str]"],
    ["list of strings", "list[str]"],
    ["str or None", "str | None"],
    ["int, optional", "int"],
    ["dict of str to int", "dict[str, int]"],
    ["tuple of float", "tuple[float, ...]"],
    ["iterator of int", "Iterator[int]"],
    [":class:`Song`", "Song"],
    ["~pkg.Song", "pkg.Song"],
    ["integer", "int"],
    ["dict[str, int]", "dict[str, int]"],
  ])("%s → %s", (text, expected) => {
    expect(docTypeText(text)).toBe(expected);
  });
});
