// Name resolution across the modules of a workspace, the way Python's import system would see
// them: relative imports from the importing file's package, absolute imports from the
// workspace root or from the non-package folders above the importing file (script style),
// re-exports through `__init__.py`, star imports. Pure: it reads an index, never the disk.
import { EffectTracker, Memo } from './effects';
import type { ClassFacts, ImportBinding, ModuleFacts, ModuleValue } from './module-facts';

/** What a dotted name in a module points at. */
export type Resolution =
  | { kind: 'class'; file: string; cls: ClassFacts }
  | { kind: 'module'; path: string; file?: string }
  | { kind: 'value'; file: string; value: ModuleValue }
  | { kind: 'external'; qualifiedName: string }
  | { kind: 'builtin'; name: string }
  /** Exists, but says nothing about tasks: an attribute of a class or of a value. */
  | { kind: 'opaque' }
  | { kind: 'unresolved'; message: string };

/** The indexed modules the resolver reads. */
export interface ModuleTable {
  /** Facts of an indexed file (a root-relative path with forward slashes). */
  facts(file: string): ModuleFacts | undefined;
  /** Whether a folder holds indexed files (namespace packages have no `__init__.py`). */
  hasFolder(folder: string): boolean;
}

const BUILTINS = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError ' +
    'BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ' +
    'ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup ' +
    'False FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning ' +
    'IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ' +
    'ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError ' +
    'PendingDeprecationWarning PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning ' +
    'RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit ' +
    'TabError TimeoutError True TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError ' +
    'UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError __build_class__ __debug__ ' +
    '__doc__ __import__ __loader__ __name__ __package__ __spec__ __file__ __path__ __all__ __builtins__ abs aiter all ' +
    'anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits ' +
    'delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help ' +
    'hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open ' +
    'ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple ' +
    'type vars zip'
  ).split(' '),
);

export function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

const moduleNames = new Map<string, string>();

/** `pkg/mod.py` -> `pkg.mod`; `pkg/__init__.py` -> `pkg`. */
export function moduleNameOf(file: string): string {
  let name = moduleNames.get(file);
  if (name !== undefined) return name;
  let stem = file.replace(/\.py$/, '');
  if (stem.endsWith('/__init__')) stem = stem.slice(0, -'/__init__'.length);
  name = stem.split('/').join('.');
  if (moduleNames.size > 100_000) moduleNames.clear(); // bounded: paths come and go
  moduleNames.set(file, name);
  return name;
}

function parentFolder(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function join(folder: string, relative: string): string {
  return folder ? `${folder}/${relative}` : relative;
}

type Symbol =
  | { kind: 'class'; cls: ClassFacts }
  | { kind: 'import'; binding: ImportBinding }
  | { kind: 'value'; value: ModuleValue };

/** Attributes every module has, whatever it defines. */
const MODULE_DUNDERS = new Set(['__name__', '__doc__', '__file__', '__path__', '__package__', '__spec__', '__loader__', '__dict__', '__builtins__', '__cached__']);

/** How many modules deep a name is followed through `from m import name` re-exports. */
export const MAX_REEXPORT_DEPTH = 300;

/**
 * Resolves names against a fixed set of modules. Results are memoised, so build a new
 * Resolver whenever a file changes (cheap: the memo is the only state).
 */
export class Resolver {
  private readonly symbolTables = new Map<string, Map<string, Symbol>>();
  private readonly memo: Memo<Resolution>;
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly modules: ModuleTable,
    tracker: EffectTracker = new EffectTracker(),
  ) {
    this.memo = new Memo(tracker);
  }

  /** Resolves `parts` (e.g. ['mod', 'Task']) as written in `file`, with optional function-local imports. */
  resolve(file: string, parts: readonly string[], localImports: readonly ImportBinding[] = []): Resolution {
    const [head, ...rest] = parts;
    if (head === undefined) return { kind: 'unresolved', message: 'empty name' };
    const local = [...localImports].reverse().find((binding) => binding.local === head);
    let current = local ? this.resolveImport(file, local) : this.resolveName(file, head);
    for (const part of rest) current = this.member(current, part);
    return current;
  }

  /**
   * A base class as written on module-level `cls`. Bases are evaluated before the class binds its
   * name, so `class TestCase(TestCase)` names the TestCase bound before it (an import, an earlier
   * class of that name), not itself: a common way to extend an imported class under its own name.
   */
  resolveBase(file: string, cls: ClassFacts, parts: readonly string[]): Resolution {
    const [head, ...rest] = parts;
    if (head !== cls.name) return this.resolve(file, parts);
    let current = this.bindingBefore(file, head, cls.line);
    for (const part of rest) current = this.member(current, part);
    return current;
  }

  /** What `name` is bound to at module level of `file` just before `line`. */
  private bindingBefore(file: string, name: string, line: number): Resolution {
    const facts = this.modules.facts(file);
    let best: { line: number; resolve: () => Resolution } | undefined;
    const consider = (at: number, resolve: () => Resolution) => {
      if (at < line && (!best || at >= best.line)) best = { line: at, resolve };
    };
    for (const other of facts?.classes ?? []) if (other.name === name) consider(other.line, () => ({ kind: 'class', file, cls: other }));
    for (const binding of facts?.imports ?? []) if (binding.local === name) consider(binding.line, () => this.resolveImport(file, binding));
    for (const value of facts?.values ?? []) if (value.name === name) consider(value.line, () => ({ kind: 'value', file, value }));
    if (best) return best.resolve();
    if (BUILTINS.has(name)) return { kind: 'builtin', name };
    return { kind: 'unresolved', message: `"${name}" is not defined before class ${name} in ${moduleNameOf(file) || file}` };
  }

  /** What an import statement binds; unresolved when it points into the workspace at nothing. */
  resolveImport(file: string, binding: ImportBinding): Resolution {
    const key = `import\0${binding.level}\0${binding.module}\0${binding.name ?? ''}`;
    return this.memo.get(file, key, () => {
      const module = this.resolveModule(file, binding.level, binding.module);
      return binding.name === undefined || binding.name === '*' ? module : this.member(module, binding.name);
    });
  }

  /** A module named by an import: workspace file, namespace folder, or something installed. */
  resolveModule(file: string, level: number, dotted: string): Resolution {
    const relative = dotted ? dotted.split('.').join('/') : '';
    if (level > 0) {
      let folder = parentFolder(file);
      for (let i = 1; i < level; i++) {
        if (folder === '') {
          return { kind: 'unresolved', message: `Relative import "${'.'.repeat(level)}${dotted}" goes above the workspace root` };
        }
        folder = parentFolder(folder);
      }
      const path = relative ? join(folder, relative) : folder;
      const found = this.moduleAt(path);
      return found ?? { kind: 'unresolved', message: `Cannot find module "${'.'.repeat(level)}${dotted}" (looked for ${path}.py)` };
    }
    const top = relative.split('/')[0]!;
    for (const root of this.importRoots(file)) {
      if (!this.moduleAt(join(root, top))) continue;
      const found = this.moduleAt(join(root, relative));
      if (found) return found;
      // A namespace package (a folder without __init__.py, PEP 420) has portions elsewhere on the
      // path: the workspace's google/cloud/spanner_v1 beside an installed google.protobuf.
      if (this.inNamespacePackage(root, relative)) return { kind: 'external', qualifiedName: dotted };
      return { kind: 'unresolved', message: `Cannot find module "${dotted}" in the workspace (looked for ${join(root, relative)}.py)` };
    }
    return { kind: 'external', qualifiedName: dotted };
  }

  /**
   * Folders an absolute import may start from: the importing file's folder and the folders
   * above it that are not packages (as when a script runs from there), then the root.
   */
  private importRoots(file: string): string[] {
    const roots: string[] = [];
    for (let folder = parentFolder(file); folder !== ''; folder = parentFolder(folder)) {
      if (!this.modules.facts(`${folder}/__init__.py`)) roots.push(folder);
    }
    roots.push('');
    return roots;
  }

  /** Whether the deepest folder of `relative` (under `root`) that the workspace has is a namespace package. */
  private inNamespacePackage(root: string, relative: string): boolean {
    const parts = relative.split('/');
    for (let depth = parts.length - 1; depth >= 1; depth--) {
      const found = this.moduleAt(join(root, parts.slice(0, depth).join('/')));
      if (found) return found.file === undefined;
    }
    return false;
  }

  private moduleAt(path: string): Extract<Resolution, { kind: 'module' }> | undefined {
    if (path && this.modules.facts(`${path}.py`)) return { kind: 'module', path, file: `${path}.py` };
    const init = join(path, '__init__.py');
    if (this.modules.facts(init)) return { kind: 'module', path, file: init };
    // The root itself stands for the package a `from . import x` at top level means.
    if (path === '' || this.modules.hasFolder(path)) return { kind: 'module', path };
    return undefined;
  }

  /** `target.name`: a submodule, a name a module defines, or an attribute of something else. */
  member(target: Resolution, name: string): Resolution {
    switch (target.kind) {
      case 'module': {
        if (target.file) {
          const defined = this.resolveName(target.file, name, false);
          if (defined.kind !== 'unresolved') return defined;
        }
        const submodule = this.moduleAt(join(target.path, name));
        if (submodule) return submodule;
        // Every module has its dunders; a module-level __getattr__ (PEP 562: lazy imports, as
        // unittest does for IsolatedAsyncioTestCase) or a write through globals() may answer any name.
        if (MODULE_DUNDERS.has(name)) return { kind: 'opaque' };
        if (target.file && (this.symbols(target.file).get('__getattr__')?.kind === 'value' || this.modules.facts(target.file)?.dynamicGlobals)) return { kind: 'opaque' };
        const dotted = target.path.split('/').join('.');
        // A namespace package's other portions are installed elsewhere (see resolveModule).
        if (!target.file && target.path !== '') return { kind: 'external', qualifiedName: `${dotted}.${name}` };
        return { kind: 'unresolved', message: `Module "${dotted}" has no "${name}"` };
      }
      case 'external':
        return { kind: 'external', qualifiedName: `${target.qualifiedName}.${name}` };
      case 'unresolved':
        return target;
      default:
        return { kind: 'opaque' };
    }
  }

  /** A name at module level of `file`: class, import, variable, star import, builtin. */
  resolveName(file: string, name: string, builtins = true): Resolution {
    const key = builtins ? name : `${name}\0module`;
    const progressKey = `${file}\0${key}`;
    if (this.inProgress.has(progressKey)) return { kind: 'unresolved', message: `"${name}" is imported in a cycle` };
    // Each name in progress is one re-export being followed: a bound that no real code reaches
    // keeps generated chains of thousands of modules from exhausting the stack.
    if (this.inProgress.size >= MAX_REEXPORT_DEPTH) return { kind: 'unresolved', message: `"${name}" is re-exported through more than ${MAX_REEXPORT_DEPTH} modules: not followed further` };
    return this.memo.get(file, key, () => {
      this.inProgress.add(progressKey);
      try {
        return this.lookup(file, name, builtins);
      } finally {
        this.inProgress.delete(progressKey);
      }
    });
  }

  private lookup(file: string, name: string, builtins: boolean): Resolution {
    const symbol = this.symbols(file).get(name);
    if (symbol?.kind === 'class') return { kind: 'class', file, cls: symbol.cls };
    if (symbol?.kind === 'import') return this.resolveImport(file, symbol.binding);
    if (symbol?.kind === 'value') return { kind: 'value', file, value: symbol.value };
    let externalStar: string | undefined;
    for (const binding of this.modules.facts(file)?.imports ?? []) {
      if (binding.name !== '*') continue;
      const module = this.resolveImport(file, binding);
      if (module.kind === 'module' && module.file) {
        const found = this.resolveName(module.file, name, false);
        if (found.kind !== 'unresolved') return found;
      } else if (module.kind === 'external') externalStar ??= module.qualifiedName;
    }
    if (builtins && BUILTINS.has(name)) return { kind: 'builtin', name };
    // `from luigi import *` then `Task`: most likely luigi.Task.
    if (externalStar) return { kind: 'external', qualifiedName: `${externalStar}.${name}` };
    return { kind: 'unresolved', message: `"${name}" is not defined in ${moduleNameOf(file) || file}` };
  }

  /** Module-level bindings; a class or an import wins over a plain assignment of the same name. */
  private symbols(file: string): Map<string, Symbol> {
    const facts = this.modules.facts(file); // read every time: the caller's record needs it
    let table = this.symbolTables.get(file);
    if (table) return table;
    table = new Map();
    if (facts) {
      for (const value of facts.values) table.set(value.name, { kind: 'value', value });
      for (const binding of facts.imports) if (binding.name !== '*') table.set(binding.local, { kind: 'import', binding });
      for (const cls of facts.classes) table.set(cls.name, { kind: 'class', cls });
    }
    this.symbolTables.set(file, table);
    return table;
  }
}
