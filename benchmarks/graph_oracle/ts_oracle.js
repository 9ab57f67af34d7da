#!/usr/bin/env node
// Ground-truth call edges of a TypeScript/JavaScript package from the TypeScript compiler's own
// resolution (the type checker), for benchmarks/graph_oracle/run.py.
//
//   node ts_oracle.js ROOT FILES.json > calls.jsonl
//
// ROOT: the indexed directory; FILES.json: the repository-relative paths Mnemo indexed (the
// program's root files, so both sides see the same code). The nearest tsconfig.json at or above
// ROOT supplies compiler options (paths, baseUrl); its file list is ignored.
// One JSON line per call site whose callee the checker resolves to a declaration in those files:
//   {"file", "line" (of the call), "kind", "name", "targets": [{"file", "line"}...]}
// kind: new | super | direct (same file) | import | this | namespace | static | interface |
//       chained (receiver is a call result) | typed (any other receiver with a known type) | decorator
// A target's line is its declaration's first line (a method, function, class, constructor or
// interface member); `new C()` targets the class and the constructor that runs.
"use strict";
const path = require("path");
const fs = require("fs");
const ts = require(process.env.TS_MODULE || "typescript");

const root = path.resolve(process.argv[2]);
const files = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const abs = files.map((f) => path.join(root, f));
const indexed = new Map(abs.map((a, i) => [path.normalize(a), files[i]]));

let options = { allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: false, jsx: ts.JsxEmit.Preserve };
const configPath = ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
if (configPath) {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (!read.error) {
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
    options = Object.assign({}, parsed.options, { noEmit: true, allowJs: true, skipLibCheck: true });
    delete options.outDir; delete options.declarationDir; delete options.composite; delete options.incremental;
  }
}
const program = ts.createProgram(abs, options);
const checker = program.getTypeChecker();

function relOf(sf) { return indexed.get(path.normalize(sf.fileName)); }
function lineOf(sf, pos) { return sf.getLineAndCharacterOfPosition(pos).line + 1; }
function strip(e) {
  while (e && (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) ||
               ts.isTypeAssertionExpression(e) || (ts.isSatisfiesExpression && ts.isSatisfiesExpression(e)))) e = e.expression;
  return e;
}
function resolveAlias(sym) {
  let seen = 0;
  while (sym && (sym.flags & ts.SymbolFlags.Alias) && seen++ < 20) {
    try { sym = checker.getAliasedSymbol(sym); } catch (e) { return sym; }
  }
  return sym;
}
function hasBody(d) {
  return !!(d.body || ts.isClassDeclaration(d) || ts.isClassExpression(d) || ts.isInterfaceDeclaration(d) ||
            ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d) || ts.isPropertyAssignment(d) ||
            ts.isMethodSignature(d) || ts.isPropertySignature(d) || ts.isShorthandPropertyAssignment(d));
}
function isInterfaceMember(d) {
  if (ts.isMethodSignature(d) || ts.isPropertySignature(d)) return true;
  const mods = ts.canHaveModifiers(d) ? ts.getModifiers(d) || [] : [];
  return mods.some((m) => m.kind === ts.SyntaxKind.AbstractKeyword);
}
function declTargets(sym) {
  sym = resolveAlias(sym);
  if (!sym || !sym.declarations) return [];
  // a parameter or a destructured name is a value, no code: the call has no static target (as
  // jedi's non-function names in py_oracle.py); mapped by line it would name the enclosing
  // function. A constructor parameter property is a field of the class: it stays.
  let decls = sym.declarations.filter((d) => relOf(d.getSourceFile()) !== undefined && !ts.isBindingElement(d) &&
                                             !(ts.isParameter(d) && !ts.isParameterPropertyDeclaration(d, d.parent)));
  const withBody = decls.filter((d) => hasBody(d) && !(ts.isFunctionDeclaration(d) && !d.body) && !(ts.isMethodDeclaration(d) && !d.body && !isInterfaceMember(d)));
  if (withBody.length) decls = withBody;
  return decls;
}
function target(d) {
  const sf = d.getSourceFile();
  return { file: relOf(sf), line: lineOf(sf, d.getStart(sf)) };
}
function constructorOf(classDecl) {
  return (classDecl.members || []).find((m) => ts.isConstructorDeclaration(m) && m.body);
}
function classTargets(decls) {
  const out = [];
  for (const d of decls) {
    if (ts.isClassDeclaration(d) || ts.isClassExpression(d)) {
      out.push(target(d));
      let cls = d, depth = 0;
      while (cls && depth++ < 20) {  // the constructor that runs: own, else the nearest base's
        const ctor = constructorOf(cls);
        if (ctor) { out.push(target(ctor)); break; }
        const ext = (cls.heritageClauses || []).find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
        if (!ext) break;
        const base = declTargets(checker.getSymbolAtLocation(ext.types[0].expression)).find((b) => ts.isClassDeclaration(b) || ts.isClassExpression(b));
        cls = base;
      }
    } else out.push(target(d));
  }
  return out;
}
function receiverKind(obj, decls, sf) {
  if (decls.some(isInterfaceMember)) return "interface";
  obj = strip(obj);
  if (ts.isCallExpression(obj) || ts.isNewExpression(obj) || ts.isElementAccessExpression(obj)) return "chained";
  const sym = resolveAlias(checker.getSymbolAtLocation(ts.isPropertyAccessExpression(obj) ? obj.name : obj));
  if (sym && (sym.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule))) return "namespace";
  if (sym && (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Enum)) && ts.isIdentifier(obj)) return "static";
  return "typed";
}

const out = [];
function emit(sf, node, kind, name, targets) {
  const seen = new Set();
  targets = targets.filter((t) => t.file !== undefined && !seen.has(t.file + ":" + t.line) && seen.add(t.file + ":" + t.line));
  if (targets.length) out.push(JSON.stringify({ file: relOf(sf), line: lineOf(sf, node.getStart(sf)), kind, name, targets }));
}
function visitCall(sf, node) {
  if (ts.isNewExpression(node)) {
    const e = strip(node.expression);
    const nameNode = ts.isPropertyAccessExpression(e) ? e.name : e;
    emit(sf, nameNode, "new", nameNode.getText(sf), classTargets(declTargets(checker.getSymbolAtLocation(nameNode))));
    return;
  }
  if (ts.isDecorator(node)) {
    const e = strip(node.expression);
    if (ts.isCallExpression(e)) return;  // @dec(...) is a call expression, visited itself
    const nameNode = ts.isPropertyAccessExpression(e) ? e.name : e;
    emit(sf, nameNode, "decorator", nameNode.getText(sf), declTargets(checker.getSymbolAtLocation(nameNode)).map(target));
    return;
  }
  const e = strip(node.expression);
  if (e.kind === ts.SyntaxKind.SuperKeyword) {
    const sig = checker.getResolvedSignature(node);
    const d = sig && sig.declaration;
    const targets = [];
    if (d && ts.isConstructorDeclaration(d) && relOf(d.getSourceFile()) !== undefined) {
      targets.push(target(d.parent), target(d));
    } else {
      const cls = ts.findAncestor(node, (n) => ts.isClassLike(n));
      const ext = cls && (cls.heritageClauses || []).find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
      if (ext) targets.push(...classTargets(declTargets(checker.getSymbolAtLocation(ext.types[0].expression))));
    }
    emit(sf, e, "super", "super", targets);
    return;
  }
  let nameNode, kind;
  if (ts.isIdentifier(e)) {
    nameNode = e;
    const decls = declTargets(checker.getSymbolAtLocation(e));
    kind = decls.length && decls.every((d) => d.getSourceFile() === sf) ? "direct" : "import";
    emit(sf, e, kind, e.text, classTargets(decls));
    return;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const obj = strip(e.expression);
    const decls = declTargets(checker.getSymbolAtLocation(e.name));
    if (obj.kind === ts.SyntaxKind.ThisKeyword) kind = decls.some(isInterfaceMember) ? "interface" : "this";
    else if (obj.kind === ts.SyntaxKind.SuperKeyword) kind = "super";
    else kind = receiverKind(obj, decls, sf);
    emit(sf, e.name, kind, e.name.text, classTargets(decls));
  }
}
function visit(sf, node) {
  if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isDecorator(node)) {
    try { visitCall(sf, node); } catch (err) { process.stderr.write(`${relOf(sf)}:${lineOf(sf, node.getStart(sf))}: ${err}\n`); }
  }
  ts.forEachChild(node, (child) => visit(sf, child));
}
for (const sf of program.getSourceFiles()) {
  if (relOf(sf) === undefined) continue;
  visit(sf, sf);
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
