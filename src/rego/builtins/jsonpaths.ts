/**
 * json.filter, json.remove and json.patch: editing documents by path. Paths
 * are "a/b/0" strings (a leading "/" allowed, "~1" for "/" and "~0" for "~")
 * or arrays of segments; a string segment addresses an array by its index.
 */
import { equal, ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { builtinError, objectOperand } from './operands.ts';
import { BuiltinError, operandTypeError, type Builtin } from './types.ts';

interface Trie {
  end: boolean;
  children: Map<string, { key: Value; node: Trie }>;
}

const keyText = (v: Value): string => (typeof v === 'string' ? `s${v}` : `v${JSON.stringify(String(v))}`);

function splitPointer(p: string): string[] {
  return p
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pathsOperand(name: string, v: Value): Value[][] {
  if (!Array.isArray(v) && !(v instanceof SetValue)) throw operandTypeError(name, 2, ['set', 'array'], typeName(v));
  const items = Array.isArray(v) ? v : v.sorted();
  return items.map((p) => {
    if (typeof p === 'string') return splitPointer(p);
    if (Array.isArray(p)) return p;
    throw new BuiltinError(
      'eval_type_error',
      `${name}: operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
    );
  });
}

function trieOf(paths: Value[][]): Trie {
  const root: Trie = { end: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const seg of path) {
      const k = keyText(seg);
      let child = node.children.get(k);
      if (!child) {
        child = { key: seg, node: { end: false, children: new Map() } };
        node.children.set(k, child);
      }
      node = child.node;
    }
    node.end = true;
  }
  return root;
}

/** The array index a segment names, or undefined. */
function indexOf(seg: Value, length: number): number | undefined {
  const n = typeof seg === 'string' && /^\d+$/.test(seg) ? Number(seg) : seg;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < length ? n : undefined;
}

function filter(v: Value, t: Trie): Value | undefined {
  if (t.end) return v;
  if (v instanceof ObjectValue) {
    const out = new ObjectValue();
    for (const { key, node } of t.children.values()) {
      const child = v.get(key);
      const kept = child === undefined ? undefined : filter(child, node);
      if (kept !== undefined) out.set(key, kept);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const keep = new Map<number, Trie>();
    for (const { key, node } of t.children.values()) {
      const i = indexOf(key, v.length);
      if (i !== undefined) keep.set(i, node);
    }
    const out: Value[] = [];
    v.forEach((x, i) => {
      const node = keep.get(i);
      const kept = node ? filter(x, node) : undefined;
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if (v instanceof SetValue) {
    const out = new SetValue();
    for (const { key, node } of t.children.values()) if (v.has(key) && filter(key, node) !== undefined) out.add(key);
    return out;
  }
  return undefined;
}

function remove(v: Value, t: Trie): Value | undefined {
  if (t.end) return undefined;
  if (t.children.size === 0) return v;
  if (v instanceof ObjectValue) {
    const out = new ObjectValue();
    for (const [k, x] of v) {
      const node = t.children.get(keyText(k))?.node;
      const kept = node ? remove(x, node) : x;
      if (kept !== undefined) out.set(k, kept);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const nodes = new Map<number, Trie>();
    for (const { key, node } of t.children.values()) {
      const i = indexOf(key, v.length);
      if (i !== undefined) nodes.set(i, node);
    }
    const out: Value[] = [];
    v.forEach((x, i) => {
      const node = nodes.get(i);
      const kept = node ? remove(x, node) : x;
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if (v instanceof SetValue) {
    const out = new SetValue();
    for (const x of v) {
      const node = t.children.get(keyText(x))?.node;
      if (!node || remove(x, node) !== undefined) out.add(x);
    }
    return out;
  }
  return v;
}

// ---- json.patch (RFC 6902)

function pathOf(v: Value | undefined): Value[] {
  if (typeof v === 'string') return v === '' ? [] : splitPointer(v);
  if (Array.isArray(v)) return v;
  throw builtinError('json.patch', 'a patch path must be a string or an array');
}

function getAt(doc: Value, path: Value[]): Value | undefined {
  let cur: Value | undefined = doc;
  for (const seg of path) {
    if (cur instanceof ObjectValue) cur = cur.get(seg);
    else if (Array.isArray(cur)) {
      const i = indexOf(seg, cur.length);
      cur = i === undefined ? undefined : cur[i];
    } else if (cur instanceof SetValue) cur = cur.has(seg) ? seg : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A copy of doc with `f` applied to the parent of the path's last segment. */
function updateAt(doc: Value, path: Value[], f: (parent: Value, last: Value) => Value): Value {
  if (path.length === 1) return f(doc, path[0]!);
  const [head, ...rest] = path;
  if (doc instanceof ObjectValue) {
    const child = doc.get(head!);
    if (child === undefined) throw builtinError('json.patch', 'path does not exist');
    return new ObjectValue(doc.entries()).set(head!, updateAt(child, rest, f));
  }
  if (Array.isArray(doc)) {
    const i = indexOf(head!, doc.length);
    if (i === undefined) throw builtinError('json.patch', 'path does not exist');
    const out = [...doc];
    out[i] = updateAt(doc[i]!, rest, f);
    return out;
  }
  throw builtinError('json.patch', 'path does not exist');
}

function addAt(doc: Value, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof ObjectValue) return new ObjectValue(parent.entries()).set(last, value);
    if (parent instanceof SetValue) return new SetValue([...parent, value]);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : typeof last === 'string' && /^\d+$/.test(last) ? Number(last) : last;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > parent.length) throw builtinError('json.patch', 'index out of range');
      return [...parent.slice(0, i), value, ...parent.slice(i)];
    }
    throw builtinError('json.patch', 'path does not exist');
  });
}

function removeAt(doc: Value, path: Value[]): Value {
  if (path.length === 0) throw builtinError('json.patch', 'cannot remove the root');
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof ObjectValue && parent.has(last)) return new ObjectValue(parent.entries().filter(([k]) => !equal(k, last)));
    if (parent instanceof SetValue && parent.has(last)) return new SetValue(parent.values().filter((x) => !equal(x, last)));
    if (Array.isArray(parent)) {
      const i = indexOf(last, parent.length);
      if (i !== undefined) return [...parent.slice(0, i), ...parent.slice(i + 1)];
    }
    throw builtinError('json.patch', 'path does not exist');
  });
}

function applyPatch(doc: Value, patch: Value): Value {
  if (!(patch instanceof ObjectValue)) throw builtinError('json.patch', 'a patch must be an object');
  const op = patch.get('op');
  const path = pathOf(patch.get('path'));
  const value = patch.get('value');
  switch (op) {
    case 'add':
      if (value === undefined) throw builtinError('json.patch', 'add needs a value');
      return addAt(doc, path, value);
    case 'remove':
      return removeAt(doc, path);
    case 'replace':
      if (value === undefined) throw builtinError('json.patch', 'replace needs a value');
      return addAt(removeAt(doc, path), path, value);
    case 'move':
    case 'copy': {
      const from = pathOf(patch.get('from'));
      const v = getAt(doc, from);
      if (v === undefined) throw builtinError('json.patch', 'from path does not exist');
      return addAt(op === 'move' ? removeAt(doc, from) : doc, path, v);
    }
    case 'test': {
      const v = getAt(doc, path);
      if (v === undefined || value === undefined || !equal(v, value)) throw builtinError('json.patch', 'test failed');
      return doc;
    }
    default:
      throw builtinError('json.patch', `unknown op ${JSON.stringify(op)}`);
  }
}

export const JSON_PATHS: Builtin[] = [
  {
    name: 'json.filter',
    arity: 2,
    call([o, p]) {
      const obj = objectOperand('json.filter', o!, 1);
      return filter(obj, trieOf(pathsOperand('json.filter', p!))) ?? new ObjectValue();
    },
  },
  {
    name: 'json.remove',
    arity: 2,
    call([o, p]) {
      const obj = objectOperand('json.remove', o!, 1);
      return remove(obj, trieOf(pathsOperand('json.remove', p!))) ?? new ObjectValue();
    },
  },
  {
    name: 'json.patch',
    arity: 2,
    call([doc, patches]) {
      if (!Array.isArray(patches)) throw operandTypeError('json.patch', 2, ['array'], typeName(patches!));
      return patches.reduce<Value>((d, p) => applyPatch(d, p), doc!);
    },
  },
];
