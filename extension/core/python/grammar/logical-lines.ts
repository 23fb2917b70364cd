// What Python's tokenizer knows about lines and the lezer grammar cannot tell: where string
// literals span lines, whether indentation is consistent, whether each short string is closed on
// its line. All come from one scan that knows only quotes, backslashes, comments and brackets, so
// it holds in code too broken to parse.
//
// Why these errors are found here: the grammar's indentation tokenizer runs only where an indent
// or dedent may come, so `import a` followed by `    import b` at the top level, or a method
// indented 2 spaces in a class whose body uses 4, parse without an error node while Python
// rejects them ("unexpected indent", "unindent does not match any outer indentation level"); and
// its string tokenizer ends a short string at the end of its line, closed or not.

const NEWLINE = 10, RETURN = 13, SPACE = 32, TAB = 9, FORM_FEED = 12, HASH = 35, BACKSLASH = 92,
  DOUBLE = 34, SINGLE = 39, COLON = 58, BRACE_OPEN = 123, BRACE_CLOSE = 125, LETTER_N = 78;

export interface Span {
  from: number;
  to: number;
}

export interface TokenizerError {
  offset: number;
  message: string;
}

interface StringEnd {
  end: number;
  spansLines: boolean;
  closed: boolean;
  /** Offset of the first `}` of an f-string that is neither doubled nor the end of a field. */
  loneBrace?: number;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/** Whether the string whose quote is at `quote` has an f prefix (f, F, rf, fR…). */
function isFormatString(text: string, quote: number): boolean {
  let k = quote;
  let format = false;
  while (k > 0 && quote - k < 2 && /[rRbBuUfF]/.test(text[k - 1]!)) {
    if (text[k - 1] === 'f' || text[k - 1] === 'F') format = true;
    k--;
  }
  return format && !(k > 0 && isWordChar(text.charCodeAt(k - 1)));
}

/**
 * Reads the string literal starting at `start` (its quote); returns its end, whether it spans
 * lines and whether it was closed. A backslash always keeps the next character from ending the
 * string (in raw strings too). In f-strings, replacement fields are read as code: they may hold
 * other strings, brackets and, since Python 3.12, line breaks and the same quotes.
 */
function readString(text: string, start: number, to: number): StringEnd {
  const quote = text.charCodeAt(start);
  const triple = text.charCodeAt(start + 1) === quote && text.charCodeAt(start + 2) === quote;
  const format = isFormatString(text, start);
  const raw = format && /[rR]/.test(text.slice(Math.max(0, start - 2), start));
  let i = start + (triple ? 3 : 1);
  let spansLines = false;
  let loneBrace: number | undefined;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = text.charCodeAt(i + 1);
      if (next === NEWLINE) spansLines = true;
      if (format && !raw && next === LETTER_N && text.charCodeAt(i + 2) === BRACE_OPEN) {
        // `\N{NAME}` in an f-string is a character, not a replacement field.
        const close = text.indexOf('}', i + 3);
        i = close === -1 || close >= to ? i + 2 : close + 1;
      } else if (format && (next === BRACE_OPEN || next === BRACE_CLOSE)) {
        i += 1; // a backslash does not escape a brace: `rf'\{x}'` holds a field
      } else i += 2;
    } else if (c === quote && (!triple || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) {
      return { end: i + (triple ? 3 : 1), spansLines, closed: true, loneBrace };
    } else if (c === NEWLINE) {
      if (!triple) return { end: i, spansLines, closed: false, loneBrace }; // a short string ends with its line
      spansLines = true;
      i++;
    } else if (format && c === BRACE_OPEN) {
      if (text.charCodeAt(i + 1) === BRACE_OPEN) i += 2;
      else {
        const field = readReplacement(text, i + 1, to);
        spansLines ||= field.spansLines;
        loneBrace ??= field.loneBrace;
        i = field.end;
      }
    } else if (format && c === BRACE_CLOSE) {
      // `}}` is a literal brace; a single one Python rejects ("f-string: single '}' is not allowed").
      if (text.charCodeAt(i + 1) !== BRACE_CLOSE) loneBrace ??= i;
      i += text.charCodeAt(i + 1) === BRACE_CLOSE ? 2 : 1;
    } else i++;
  }
  return { end: to, spansLines, closed: false, loneBrace };
}

/** Reads an f-string replacement field from after its `{` to after its `}`. */
function readReplacement(text: string, from: number, to: number): { end: number; spansLines: boolean; loneBrace?: number } {
  let depth = 0;
  let spansLines = false;
  let loneBrace: number | undefined;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === DOUBLE || c === SINGLE) {
      const string = readString(text, i, to);
      spansLines ||= string.spansLines;
      loneBrace ??= string.loneBrace;
      i = string.end;
    } else if (c === 40 || c === 91 || c === BRACE_OPEN) {
      depth++;
      i++;
    } else if (c === 41 || c === 93) {
      if (depth > 0) depth--;
      i++;
    } else if (c === BRACE_CLOSE) {
      if (depth === 0) return { end: i + 1, spansLines, loneBrace };
      depth--;
      i++;
    } else if (c === COLON && depth === 0) {
      // The format spec: text (quotes included) up to the closing `}`, with nested fields.
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d === BRACE_CLOSE) return { end: i + 1, spansLines, loneBrace };
        if (d === BRACE_OPEN) {
          const field = readReplacement(text, i + 1, to);
          spansLines ||= field.spansLines;
          loneBrace ??= field.loneBrace;
          i = field.end;
        } else if (d === NEWLINE) return { end: i, spansLines, loneBrace }; // unclosed: give the line back
        else i++;
      }
    } else if (c === HASH) {
      const end = text.indexOf('\n', i); // a comment inside the field (3.12)
      i = end === -1 ? to : end;
    } else {
      if (c === NEWLINE) spansLines = true;
      i++;
    }
  }
  return { end: to, spansLines, loneBrace };
}

/**
 * The string literals of [from, to) that span lines (`from` must be outside any string). An
 * opening quote never closed is left out: where that string really ends is unknowable.
 */
export function multiLineStrings(text: string, from: number, to: number): Span[] {
  const found: Span[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === HASH) {
      const end = text.indexOf('\n', i);
      i = end === -1 || end > to ? to : end;
    } else if (c === DOUBLE || c === SINGLE) {
      const string = readString(text, i, to);
      if (string.closed && string.spansLines) found.push({ from: i, to: string.end });
      i = string.end;
    } else i++;
  }
  return found;
}

/**
 * The first error Python's tokenizer would raise that the grammar lets through: an indent after a
 * line that opens no block ("unexpected indent"), a dedent to a column no enclosing block has, a
 * short string not closed on its line, a single `}` in an f-string outside its replacement fields.
 * Lines inside brackets, strings or after a backslash continue their logical line and are not
 * checked. A block header followed by no indented line is left to the grammar, which reports it.
 */
export function tokenizerError(text: string): TokenizerError | undefined {
  const stack = [0];
  let brackets = 0;
  let expectIndent = false;
  let lastSignificant = 0; // last character of code on the logical line so far
  let i = 0;
  let lineStart = true; // at the start of a physical line that starts a logical line
  const length = text.length;
  while (i < length) {
    if (lineStart) {
      lineStart = false;
      let column = 0;
      let j = i;
      for (; j < length; j++) {
        const c = text.charCodeAt(j);
        if (c === SPACE) column++;
        else if (c === TAB) column += 8 - (column % 8);
        else if (c === FORM_FEED) column = 0;
        else break;
      }
      const first = text.charCodeAt(j);
      if (j >= length || first === NEWLINE || first === RETURN || first === HASH) {
        // A blank or comment-only line: no indentation of its own.
        const end = text.indexOf('\n', j);
        if (end === -1) break;
        i = end + 1;
        lineStart = true;
        continue;
      }
      const top = stack[stack.length - 1]!;
      if (column > top) {
        if (!expectIndent) return { offset: j, message: 'unexpected indent' };
        stack.push(column);
      } else if (column < top) {
        while (column < stack[stack.length - 1]!) stack.pop();
        if (column !== stack[stack.length - 1]) return { offset: j, message: 'unindent does not match any outer indentation level' };
      }
      expectIndent = false;
      lastSignificant = 0;
      i = j;
    }
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      i++;
      if (brackets === 0) {
        expectIndent = lastSignificant === COLON;
        lineStart = true;
      }
    } else if (c === HASH) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? length : end;
    } else if (c === DOUBLE || c === SINGLE) {
      const string = readString(text, i, length);
      if (!string.closed && string.end < length) return { offset: i, message: 'unterminated string literal' };
      if (string.loneBrace !== undefined) return { offset: string.loneBrace, message: "f-string: single '}' is not allowed" };
      i = string.end;
      lastSignificant = c;
    } else if (c === BACKSLASH && (text.charCodeAt(i + 1) === NEWLINE || (text.charCodeAt(i + 1) === RETURN && text.charCodeAt(i + 2) === NEWLINE))) {
      // An explicit line continuation: the next physical line goes on with this logical line.
      i += text.charCodeAt(i + 1) === RETURN ? 3 : 2;
    } else {
      if (c === 40 || c === 91 || c === 123) brackets++;
      else if ((c === 41 || c === 93 || c === 125) && brackets > 0) brackets--;
      if (c !== SPACE && c !== TAB && c !== RETURN && c !== FORM_FEED) lastSignificant = c;
      i++;
    }
  }
  return undefined;
}
