// One Python file as the rules see it: scopes (module, functions, lambdas), the names each binds
// and how, classes with their methods and attributes, and every call. Built in one walk of the
// lezer tree; flow-insensitive on purpose (a name's bindings are all its assignments).
import { parsePython, type SyntaxNode, type Tree } from '../../analysis/python-parser';
import { callParts, children, dottedName, nodeKey, sameNode, Source, type CallParts } from '../../python/syntax';

export type Binding =
  | { kind: 'value'; value: SyntaxNode; node: SyntaxNode; unpackIndex?: number }
  | { kind: 'augmented'; value: SyntaxNode; node: SyntaxNode }
  | { kind: 'iteration'; iterable: SyntaxNode; node: SyntaxNode; unpackIndex?: number }
  | { kind: 'context'; value: SyntaxNode; node: SyntaxNode; statement: SyntaxNode }
  | { kind: 'param'; index: number; node: SyntaxNode; annotation?: string; defaultValue?: SyntaxNode }
  | { kind: 'function'; scope: FunctionScope }
  | { kind: 'class'; cls: ClassModel }
  | { kind: 'import'; module: string; name?: string; level: number; node: SyntaxNode }
  | { kind: 'other'; node: SyntaxNode };

export interface FunctionScope {
  id: number;
  node: SyntaxNode;
  name: string;
  kind: 'module' | 'function' | 'lambda';
  parent?: FunctionScope;
  /** The class a method is defined in. */
  cls?: ClassModel;
  params: Array<{ name: string; node: SyntaxNode; annotation?: string }>;
  bindings: Map<string, Binding[]>;
  calls: CallParts[];
  /** Yield statements and expressions in this scope. */
  yields: SyntaxNode[];
  /** With statements in this scope. */
  withs: SyntaxNode[];
  /** `return` statements in this scope. */
  returns: SyntaxNode[];
  /** Augmented assignments (`x += 1`, `self.n += 1`) and subscript/attribute stores. */
  stores: SyntaxNode[];
  /** Names declared global or nonlocal. */
  outerNames: Set<string>;
  /** Body node (function), expression (lambda) or the Script. */
  body?: SyntaxNode;
  nested: FunctionScope[];
  decorators: SyntaxNode[];
}

export interface ClassModel {
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  bases: SyntaxNode[];
  methods: Map<string, FunctionScope>;
  /** Class-level `name = value`: the value and the assignment statement. */
  attributes: Map<string, { value: SyntaxNode; statement: SyntaxNode }>;
  /** Scope the class statement runs in. */
  scope: FunctionScope;
}

export class FileModel {
  readonly src: Source;
  readonly module: FunctionScope;
  readonly scopes: FunctionScope[] = [];
  readonly classes: ClassModel[] = [];
  /** Every call's parts, by `from:to`. */
  readonly calls = new Map<number | string, CallParts>();
  /** Scope of each function-like node, by node start. */
  private readonly scopeByNode = new Map<number, FunctionScope>();

  constructor(
    readonly text: string,
    readonly tree: Tree = parsePython(text),
  ) {
    this.src = new Source(text);
    this.module = this.newScope(tree.topNode, '<module>', 'module', undefined);
    this.module.body = tree.topNode;
    this.block(tree.topNode, this.module, undefined);
  }

  scopeOf(functionNode: SyntaxNode): FunctionScope | undefined {
    return this.scopeByNode.get(functionNode.from);
  }

  /** The innermost function scope around `node`. */
  enclosingScope(node: SyntaxNode): FunctionScope {
    for (let n: SyntaxNode | null = node.parent; n; n = n.parent) {
      if (n.name === 'FunctionDefinition' || n.name === 'LambdaExpression') {
        const scope = this.scopeByNode.get(n.from);
        if (scope) return scope;
      }
    }
    return this.module;
  }

  /** Bindings of `name` as seen from `scope`: its own, then enclosing functions', then the module's. */
  lookup(name: string, scope: FunctionScope): { binding: Binding[]; scope: FunctionScope } | undefined {
    for (let s: FunctionScope | undefined = scope; s; s = s.parent) {
      const found = s.bindings.get(name);
      if (found) return { binding: found, scope: s };
    }
    return undefined;
  }

  private newScope(node: SyntaxNode, name: string, kind: FunctionScope['kind'], parent: FunctionScope | undefined): FunctionScope {
    const scope: FunctionScope = { id: this.scopes.length, node, name, kind, params: [], bindings: new Map(), calls: [], yields: [], withs: [], returns: [], stores: [], outerNames: new Set(), nested: [], decorators: [] };
    if (parent) {
      scope.parent = parent;
      parent.nested.push(scope);
    }
    this.scopes.push(scope);
    this.scopeByNode.set(node.from, scope);
    return scope;
  }

  private bind(scope: FunctionScope, name: string, binding: Binding): void {
    const list = scope.bindings.get(name);
    if (list) list.push(binding);
    else scope.bindings.set(name, [binding]);
  }

  /** Statements of a Body or the Script, in a scope; `cls` when directly in a class body. */
  private block(body: SyntaxNode, scope: FunctionScope, cls: ClassModel | undefined): void {
    for (let statement = body.firstChild; statement; statement = statement.nextSibling) this.statement(statement, scope, cls, []);
  }

  private statement(node: SyntaxNode, scope: FunctionScope, cls: ClassModel | undefined, decorators: SyntaxNode[]): void {
    switch (node.name) {
      case 'FunctionDefinition':
        this.functionDefinition(node, scope, cls, decorators);
        return;
      case 'ClassDefinition':
        this.classDefinition(node, scope, decorators);
        return;
      case 'DecoratedStatement': {
        const decorated = node.getChildren('Decorator');
        for (const d of decorated) this.expression(d, scope);
        const target = node.getChild('FunctionDefinition') ?? node.getChild('ClassDefinition');
        if (target) this.statement(target, scope, cls, decorated);
        return;
      }
      case 'AssignStatement':
        if (cls) {
          const value = node.lastChild;
          const target = node.firstChild;
          if (target?.name === 'VariableName' && value && value !== target && value.name !== 'TypeDef') {
            cls.attributes.set(this.src.of(target), { value, statement: node });
          }
        }
        this.assignment(node, scope);
        return;
      case 'StatementGroup':
        for (let c = node.firstChild; c; c = c.nextSibling) this.statement(c, scope, cls, []);
        return;
      case 'ImportStatement':
        for (const [local, binding] of this.imports(node)) this.bind(scope, local, binding);
        return;
      case 'Body':
        this.block(node, scope, cls);
        return;
      default:
        this.generic(node, scope, cls);
    }
  }

  /** Compound and simple statements: bindings in them, nested bodies as statements. */
  private generic(node: SyntaxNode, scope: FunctionScope, cls: ClassModel | undefined): void {
    const parts = children(node);
    if (node.name === 'ForStatement') {
      const inAt = parts.findIndex((c) => c.name === 'in');
      const iterable = parts[inAt + 1];
      if (iterable) this.bindTargets(parts.slice(1, inAt), scope, (target, unpackIndex) => ({ kind: 'iteration', iterable, node: target, ...(unpackIndex !== undefined ? { unpackIndex } : {}) }));
    }
    if (node.name === 'WithStatement') {
      scope.withs.push(node);
      this.withItems(node, parts, scope);
    }
    if (node.name === 'ReturnStatement') scope.returns.push(node);
    if (node.name === 'TryStatement') {
      parts.forEach((c, k) => {
        if (c.name === 'as' && parts[k + 1]?.name === 'VariableName') this.bind(scope, this.src.of(parts[k + 1]!), { kind: 'other', node: parts[k + 1]! });
      });
    }
    if (node.name === 'ScopeStatement') {
      for (const name of node.getChildren('VariableName')) scope.outerNames.add(this.src.of(name));
      return;
    }
    if (node.name === 'UpdateStatement') {
      scope.stores.push(node);
      const target = node.firstChild;
      const value = node.lastChild;
      if (target?.name === 'VariableName' && value) this.bind(scope, this.src.of(target), { kind: 'augmented', value, node: target });
    }
    if (node.name === 'YieldStatement') scope.yields.push(node);
    for (const child of parts) {
      if (child.name === 'Body') this.block(child, scope, cls);
      else if (!(node.name === 'WithStatement' && child.name === 'VariableName' && child.prevSibling?.name === 'as')) this.expression(child, scope);
    }
  }

  private withItems(node: SyntaxNode, parts: SyntaxNode[], scope: FunctionScope): void {
    // with A as a, B as (b, c): items are "expr [as target]" separated by commas.
    let k = 1;
    while (k < parts.length && parts[k]!.name !== 'Body') {
      const value = parts[k]!;
      if (value.name === ',') {
        k++;
        continue;
      }
      if (parts[k + 1]?.name === 'as' && parts[k + 2]) {
        const target = parts[k + 2]!;
        this.bindTargets([target], scope, (t) => ({ kind: 'context', value, node: t, statement: node }));
        k += 3;
      } else k++;
    }
  }

  private assignment(node: SyntaxNode, scope: FunctionScope): void {
    const parts = children(node);
    const value = node.lastChild;
    if (!value) return;
    // a = b = value; a, b = value; a: T = value
    let targets: SyntaxNode[] = [];
    for (const part of parts) {
      if (sameNode(part, value)) break;
      if (part.name === 'AssignOp') {
        this.bindTargets(targets, scope, (target, unpackIndex) => ({ kind: 'value', value, node: target, ...(unpackIndex !== undefined ? { unpackIndex } : {}) }));
        targets = [];
      } else if (part.name !== 'TypeDef' && part.name !== ',') targets.push(part);
    }
    this.expression(value, scope);
    for (const part of parts) {
      if (!sameNode(part, value) && part.name === 'MemberExpression') {
        scope.stores.push(node);
        this.expression(part, scope);
      }
    }
  }

  /** Binds names in assignment targets; tuples give each name its position. */
  private bindTargets(targets: SyntaxNode[], scope: FunctionScope, make: (target: SyntaxNode, unpackIndex?: number) => Binding): void {
    const flat = targets.length === 1 && ['TupleExpression', 'ParenthesizedExpression', 'ArrayExpression'].includes(targets[0]!.name) ? children(targets[0]!).filter((c) => !['(', ')', '[', ']', ','].includes(c.name)) : targets;
    const unpack = flat.length > 1 || flat !== targets;
    flat.forEach((target, index) => {
      if (target.name === 'VariableName') this.bind(scope, this.src.of(target), make(target, unpack ? index : undefined));
      else if (['TupleExpression', 'ParenthesizedExpression', 'ArrayExpression'].includes(target.name)) this.bindTargets([target], scope, (t) => make(t, undefined));
    });
  }

  /**
   * Walks an expression for calls, yields, lambdas and comprehension bindings, in source order.
   * Iterative (an explicit stack): generated or fuzzed code nests expressions thousands deep.
   */
  private expression(root: SyntaxNode, rootScope: FunctionScope): void {
    const pending: Array<[SyntaxNode, FunctionScope]> = [[root, rootScope]];
    while (pending.length > 0) {
      const [node, scope] = pending.pop()!;
      if (this.expressionNode(node, scope, pending)) continue;
      const kids = children(node);
      for (let i = kids.length - 1; i >= 0; i--) pending.push([kids[i]!, scope]);
    }
  }

  /** One node of expression(); true when its children are taken care of (a lambda's body goes on `pending` in its own scope). */
  private expressionNode(node: SyntaxNode, scope: FunctionScope, pending: Array<[SyntaxNode, FunctionScope]>): boolean {
    switch (node.name) {
      case 'LambdaExpression': {
        const lambda = this.newScope(node, '<lambda>', 'lambda', scope);
        const params = node.getChild('ParamList');
        if (params) this.parameters(params, lambda, scope);
        const body = node.lastChild;
        if (body && body.name !== 'ParamList') {
          lambda.body = body;
          pending.push([body, lambda]);
        }
        return true;
      }
      case 'CallExpression': {
        const call = callParts(node, this.src);
        if (call) {
          scope.calls.push(call);
          this.calls.set(nodeKey(node, 0), call);
        }
        break;
      }
      case 'YieldExpression':
        scope.yields.push(node);
        break;
      case 'NamedExpression': {
        const target = node.firstChild;
        const value = node.lastChild;
        if (target?.name === 'VariableName' && value && value !== target) this.bind(scope, this.src.of(target), { kind: 'value', value, node: target });
        break;
      }
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'DictionaryComprehensionExpression':
      case 'ComprehensionExpression':
      case 'ArgList':
        this.comprehensionBindings(node, scope);
        break;
    }
    return false;
  }

  /** `for target in iterable` clauses of a comprehension (or a generator argument). */
  private comprehensionBindings(node: SyntaxNode, scope: FunctionScope): void {
    const parts = children(node);
    parts.forEach((part, k) => {
      if (part.name !== 'for') return;
      const inAt = parts.findIndex((c, j) => j > k && c.name === 'in');
      const iterable = parts[inAt + 1];
      if (inAt === -1 || !iterable) return;
      const targets = parts.slice(k + 1, inAt).filter((c) => c.name !== ',');
      const tuple = targets.length > 1;
      targets.forEach((target, index) => {
        if (target.name === 'VariableName') this.bind(scope, this.src.of(target), { kind: 'iteration', iterable, node: target, ...(tuple ? { unpackIndex: index } : {}) });
        else this.bindTargets([target], scope, (t, i) => ({ kind: 'iteration', iterable, node: t, ...(i !== undefined ? { unpackIndex: i } : {}) }));
      });
    });
  }

  private parameters(params: SyntaxNode, scope: FunctionScope, outer: FunctionScope): void {
    const parts = children(params);
    let index = 0;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      if (part.name !== 'VariableName') {
        if (part.name !== 'AssignOp' && part.name !== ',' && part.name !== '(' && part.name !== ')' && part.name !== '*' && part.name !== '**' && part.name !== 'TypeDef' && part.name !== '/') this.expression(part, outer);
        continue;
      }
      if (part.prevSibling?.name === 'AssignOp') continue; // a default value that is a name
      const name = this.src.of(part);
      const typeDef = parts[k + 1]?.name === 'TypeDef' ? parts[k + 1] : undefined;
      const annotation = typeDef ? this.src.of(typeDef).replace(/^:\s*/, '') : undefined;
      const assignAt = typeDef ? k + 2 : k + 1;
      const defaultValue = parts[assignAt]?.name === 'AssignOp' ? parts[assignAt + 1] : undefined;
      if (defaultValue) this.expression(defaultValue, outer);
      scope.params.push({ name, node: part, ...(annotation ? { annotation } : {}) });
      this.bind(scope, name, { kind: 'param', index, node: part, ...(annotation ? { annotation } : {}), ...(defaultValue ? { defaultValue } : {}) });
      index++;
    }
  }

  private functionDefinition(node: SyntaxNode, scope: FunctionScope, cls: ClassModel | undefined, decorators: SyntaxNode[]): void {
    const nameNode = node.getChild('VariableName');
    const name = nameNode ? this.src.of(nameNode) : '<function>';
    const fn = this.newScope(node, name, 'function', scope);
    fn.decorators = decorators;
    if (cls) {
      fn.cls = cls;
      cls.methods.set(name, fn);
    } else this.bind(scope, name, { kind: 'function', scope: fn });
    const params = node.getChild('ParamList');
    if (params) this.parameters(params, fn, scope);
    const body = node.getChild('Body');
    if (body) {
      fn.body = body;
      this.block(body, fn, undefined);
    }
  }

  private classDefinition(node: SyntaxNode, scope: FunctionScope, decorators: SyntaxNode[]): void {
    const nameNode = node.getChild('VariableName');
    if (!nameNode) return;
    const argList = node.getChild('ArgList');
    const bases = argList ? children(argList).filter((c) => !['(', ')', ','].includes(c.name) && !(c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') && c.prevSibling?.name !== 'AssignOp') : [];
    const cls: ClassModel = { name: this.src.of(nameNode), node, nameNode, bases, methods: new Map(), attributes: new Map(), scope };
    void decorators;
    this.classes.push(cls);
    this.bind(scope, cls.name, { kind: 'class', cls });
    const body = node.getChild('Body');
    if (body) this.block(body, scope, cls);
  }

  private imports(node: SyntaxNode): Array<[string, Binding]> {
    const parts = children(node);
    const out: Array<[string, Binding]> = [];
    if (parts[0]?.name === 'import') {
      // import a.b.c [as x], d
      let dotted: string[] = [];
      for (let k = 1; k <= parts.length; k++) {
        const part = parts[k];
        if (!part || part.name === ',') {
          if (dotted.length) out.push([dotted[0]!, { kind: 'import', module: dotted[0]!, level: 0, node }]);
          dotted = [];
        } else if (part.name === 'as') {
          const alias = parts[k + 1];
          if (alias) out.push([this.src.of(alias), { kind: 'import', module: dotted.join('.'), level: 0, node }]);
          dotted = [];
          k++;
        } else if (part.name === 'VariableName') dotted.push(this.src.of(part));
      }
      return out;
    }
    // from [.]*a.b import x [as y], ...
    const importAt = parts.findIndex((c) => c.name === 'import');
    let level = 0;
    const moduleParts: string[] = [];
    for (const part of parts.slice(1, importAt)) {
      const text = this.src.of(part);
      if (part.name === '.' || text === '.' || text === '...') level += text.length;
      else if (part.name === 'VariableName') moduleParts.push(text);
    }
    const module = moduleParts.join('.');
    const names = parts.slice(importAt + 1).filter((c) => c.name !== '(' && c.name !== ')');
    for (let k = 0; k < names.length; k++) {
      const part = names[k]!;
      if (part.name !== 'VariableName') continue;
      const name = this.src.of(part);
      let local = name;
      if (names[k + 1]?.name === 'as' && names[k + 2]) {
        local = this.src.of(names[k + 2]!);
        k += 2;
      }
      out.push([local, { kind: 'import', module, name, level, node }]);
    }
    return out;
  }

  dotted(node: SyntaxNode): string[] | undefined {
    return dottedName(node, this.src);
  }
}
