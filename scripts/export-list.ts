// The public export list of the package's three entries (`.`, `./server`, `./sandbox`), one
// `entry name kind` line each, sorted, so that a refactoring can show it changed nothing users
// import: `node --import tsx scripts/export-list.ts [root] > after.txt`, then diff with the
// list printed from another checkout (root: the repository to read, default the current one).
import { resolve } from 'node:path';
import ts from 'typescript';

const ENTRIES = {
  '.': 'src/index.ts',
  './server': 'src/server/index.ts',
  './sandbox': 'src/sandbox/index.ts',
};

const root = resolve(process.argv[2] ?? '.');
const files = Object.values(ENTRIES).map((file) => resolve(root, file));
const program = ts.createProgram(files, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

function kindOf(symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'value';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) return 'type';
  return `flags:${f}`;
}

const lines: string[] = [];
for (const [entry, file] of Object.entries(ENTRIES)) {
  const source = program.getSourceFile(resolve(root, file));
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file}: not found or not a module under ${root}`);
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    lines.push(`${entry} ${symbol.getName()} ${kindOf(symbol)}`);
  }
}
console.log(lines.sort().join('\n'));
