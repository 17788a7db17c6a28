/**
 * Maps a policy path (`modelGroups[3].fallbacks[0]`) to where it is written
 * in the TS policy files, by walking the syntax tree the way the value was
 * built: object and array literals, spreads, shorthand properties, `const`
 * bindings, define*() calls, `as const`/`satisfies`, and imports across
 * files. Only syntax is needed (no type checker), which keeps the error path
 * fast; ts-morph is still heavy, so callers import this module lazily.
 */
import { Node, Project } from 'ts-morph';
import type { ArrayLiteralExpression, Expression, ObjectLiteralExpression, SourceFile } from 'ts-morph';
import type { SourceLocation } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { displayPath } from './entry.ts';
import { resolveSpecifier } from './import-graph.ts';

/** How deep identifier and import chains are followed before giving up (guards against cycles). */
const MAX_HOPS = 64;

interface Hit {
  /** Where the property or element is written: what a Diagnostic points at. */
  site: Node;
  /** The expression that produces its value, if any. */
  value: Node | undefined;
}

export class TsSourceMapper {
  private readonly project = new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });

  constructor(private readonly entry: string) {}

  locate(path: Path): SourceLocation | undefined {
    const entry = this.sourceFile(this.entry);
    if (!entry) return undefined;
    const root = this.exportedValue(entry, 'default', 0) ?? this.exportedValue(entry, 'policy', 0);
    if (!root) return location(entry);
    let site: Node = root;
    let value = this.unwrap(root, 0);
    for (const seg of path) {
      const hit =
        typeof seg === 'string' && value && Node.isObjectLiteralExpression(value)
          ? this.findProperty(value, seg, 0)
          : typeof seg === 'number' && value && Node.isArrayLiteralExpression(value)
            ? this.findElement(value, seg, 0)
            : undefined;
      if (!hit) {
        // The deepest node we reached: a literal that lacks the key (a missing property), or the site of a computed value.
        const literal = value && (Node.isObjectLiteralExpression(value) || Node.isArrayLiteralExpression(value));
        return location(literal ? value! : site);
      }
      site = hit.site;
      value = hit.value && this.unwrap(hit.value, 0);
    }
    return location(site);
  }

  private sourceFile(file: string): SourceFile | undefined {
    return this.project.getSourceFile(file) ?? this.project.addSourceFileAtPathIfExists(file);
  }

  /** Looks through wrappers to the expression that builds the value. */
  private unwrap(node: Node, hops: number): Node | undefined {
    let n: Node | undefined = node;
    while (n && hops++ < MAX_HOPS) {
      if (
        Node.isParenthesizedExpression(n) ||
        Node.isAsExpression(n) ||
        Node.isSatisfiesExpression(n) ||
        Node.isTypeAssertion(n) ||
        Node.isNonNullExpression(n)
      )
        n = n.getExpression();
      else if (Node.isIdentifier(n)) n = this.resolveIdentifier(n, hops);
      else if (Node.isShorthandPropertyAssignment(n)) n = this.resolveIdentifier(n.getNameNode(), hops);
      // define*(value) and similar helpers return their first argument.
      else if (Node.isCallExpression(n) && n.getArguments().length > 0) n = n.getArguments()[0];
      else return n;
    }
    return undefined;
  }

  private resolveIdentifier(id: Node, hops: number): Node | undefined {
    const name = id.getText();
    for (let scope: Node | undefined = id.getParent(); scope; scope = scope.getParent()) {
      if (!(Node.isSourceFile(scope) || Node.isBlock(scope) || Node.isModuleBlock(scope))) continue;
      for (const statement of scope.getStatements()) {
        if (Node.isVariableStatement(statement)) {
          for (const decl of statement.getDeclarations()) {
            if (decl.getName() === name) return decl.getInitializer();
          }
        } else if (Node.isImportDeclaration(statement) && Node.isSourceFile(scope) && !statement.isTypeOnly()) {
          const target = () => this.importedFile(scope as SourceFile, statement.getModuleSpecifierValue());
          if (statement.getDefaultImport()?.getText() === name) {
            const file = target();
            return file && this.exportedValue(file, 'default', hops + 1);
          }
          for (const spec of statement.getNamedImports()) {
            if ((spec.getAliasNode() ?? spec.getNameNode()).getText() === name) {
              const file = target();
              return file && this.exportedValue(file, spec.getNameNode().getText(), hops + 1);
            }
          }
        }
      }
    }
    return undefined;
  }

  private importedFile(from: SourceFile, specifier: string): SourceFile | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const file = resolveSpecifier(from.getFilePath(), specifier);
    return file ? this.sourceFile(file) : undefined;
  }

  /** The expression a module exports under `name` (`default` for the default export). */
  private exportedValue(file: SourceFile, name: string, hops: number): Expression | undefined {
    if (hops > MAX_HOPS) return undefined;
    if (name === 'default') {
      const assignment = file.getExportAssignment((a) => !a.isExportEquals());
      if (assignment) return assignment.getExpression();
    }
    for (const statement of file.getStatements()) {
      if (Node.isVariableStatement(statement) && statement.isExported()) {
        const decl = statement.getDeclarations().find((d) => d.getName() === name);
        if (decl) return decl.getInitializer();
      } else if (Node.isExportDeclaration(statement) && !statement.isTypeOnly()) {
        const specifier = statement.getModuleSpecifierValue();
        const source = specifier === undefined ? file : this.importedFile(file, specifier);
        if (!source) continue;
        if (statement.isNamespaceExport()) {
          const found = statement.getNamespaceExport() ? undefined : this.exportedValue(source, name, hops + 1);
          if (found) return found;
          continue;
        }
        for (const spec of statement.getNamedExports()) {
          if ((spec.getAliasNode() ?? spec.getNameNode()).getText() !== name) continue;
          const local = spec.getNameNode();
          if (specifier !== undefined) return this.exportedValue(source, local.getText(), hops + 1);
          const resolved = this.resolveIdentifier(local, hops + 1);
          return resolved && Node.isExpression(resolved) ? resolved : undefined;
        }
      }
    }
    return undefined;
  }

  /** The last definition of `key` wins, as in JavaScript, including one that arrives through a spread. */
  private findProperty(obj: ObjectLiteralExpression, key: string, hops: number): Hit | undefined {
    const props = obj.getProperties();
    for (let i = props.length - 1; i >= 0; i--) {
      const prop = props[i]!;
      if (Node.isSpreadAssignment(prop)) {
        const source = this.unwrap(prop.getExpression(), hops);
        const hit = source && Node.isObjectLiteralExpression(source) && hops < MAX_HOPS ? this.findProperty(source, key, hops + 1) : undefined;
        if (hit) return hit;
      } else if (Node.isShorthandPropertyAssignment(prop)) {
        if (prop.getName() === key) return { site: prop, value: prop.getNameNode() };
      } else if (Node.isPropertyAssignment(prop) || Node.isMethodDeclaration(prop) || Node.isGetAccessorDeclaration(prop)) {
        if (propertyName(prop.getNameNode()) === key) return { site: prop, value: Node.isPropertyAssignment(prop) ? prop.getInitializer() : undefined };
      }
    }
    return undefined;
  }

  /** Counts indexes across spreads (`[...base, x]`); gives up past a spread whose length is not written out. */
  private findElement(arr: ArrayLiteralExpression, index: number, hops: number): Hit | undefined {
    let i = 0;
    for (const el of arr.getElements()) {
      if (Node.isSpreadElement(el)) {
        const source = this.unwrap(el.getExpression(), hops);
        if (!source || !Node.isArrayLiteralExpression(source) || hops >= MAX_HOPS) return undefined;
        const length = this.arrayLength(source, hops + 1);
        if (length === undefined) return index < i ? undefined : this.findElement(source, index - i, hops + 1);
        if (index < i + length) return this.findElement(source, index - i, hops + 1);
        i += length;
      } else {
        if (i === index) return { site: el, value: el };
        i++;
      }
    }
    return undefined;
  }

  private arrayLength(arr: ArrayLiteralExpression, hops: number): number | undefined {
    let n = 0;
    for (const el of arr.getElements()) {
      if (!Node.isSpreadElement(el)) {
        n++;
        continue;
      }
      const source = this.unwrap(el.getExpression(), hops);
      const length = source && Node.isArrayLiteralExpression(source) && hops < MAX_HOPS ? this.arrayLength(source, hops + 1) : undefined;
      if (length === undefined) return undefined;
      n += length;
    }
    return n;
  }
}

function propertyName(name: Node): string | undefined {
  if (Node.isIdentifier(name) || Node.isPrivateIdentifier(name)) return name.getText();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralText();
  if (Node.isNumericLiteral(name)) return String(name.getLiteralValue());
  if (Node.isComputedPropertyName(name)) {
    const expr = name.getExpression();
    if (Node.isStringLiteral(expr) || Node.isNoSubstitutionTemplateLiteral(expr)) return expr.getLiteralText();
  }
  return undefined;
}

function location(node: Node): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = file.getLineAndColumnAtPos(node.getStart());
  return { file: displayPath(file.getFilePath()), line, column };
}
