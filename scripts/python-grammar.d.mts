// Types of scripts/python-grammar.mjs, for the test that checks the committed parser is current.
export declare const grammarDir: string;
/** The generated files, by name (parser.ts, parser.terms.ts), as they should be committed. */
export declare function generatePythonParser(): Record<string, string>;
