// Builds the package from the component (../build/jovo_dynamodb.wasm by default):
//  1. jco transpiles it once (every import and export synchronous: JavaScript drives it
//     through the step export) into src/generated/component.js, and its core modules go
//     into src/generated/core-wasm.js as base64, so the JavaScript carries its WebAssembly
//     and needs no file lookups (skipped when the component and jco are unchanged);
//  2. esbuild bundles the entries into dist/, self-contained but for the peer dependency
//     @jovotech/framework:
//       dist/index.cjs   the plugin, for require() on every Node.js >= 20.0 and for bundlers
//       dist/generated.cjs  jco's glue and the base64 core modules, shared by the .cjs files
//       dist/index.mjs   the plugin for import: a wrapper over index.cjs, so an app that
//                        mixes both gets one DynamoDb and one DynamoDbError class
//       dist/edge.mjs    the edge entry (browsers, workerd, Deno, Bun, Node.js)
//       dist/edge.cjs    the edge entry for require()
//       dist/*.d.ts, *.d.cts  the hand-written types, for import and require
//       dist/*.core*.wasm     the core modules as files, for runtimes that must be handed
//                             precompiled modules (workerd) or fetch them by URL
//
//   node scripts/build.mjs [path/to/component.wasm]
// Exits non-zero with a one-line reason when the component is missing (so `npm pack`,
// whose prepack runs this, never ships a package without dist/).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const component = resolve(process.argv[2] ?? join(packageDir, '..', 'build', 'jovo_dynamodb.wasm'));
const generatedDir = join(packageDir, 'src', 'generated');
const distDir = join(packageDir, 'dist');
const jco = join(packageDir, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
const stamp = join(generatedDir, '.built-from');

function fail(message) {
  console.error(`scripts/build.mjs: ${message}`);
  process.exit(1);
}

function inputsFingerprint() {
  const jcoVersion = JSON.parse(readFileSync(join(packageDir, 'node_modules', '@bytecodealliance', 'jco', 'package.json'), 'utf8')).version;
  const { size, mtimeMs } = statSync(component);
  const self = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  return JSON.stringify({ component, size, mtimeMs, self, jcoVersion });
}

/** jco's output into src/generated/: the instantiation code and the base64 core modules. */
async function generate() {
  const fingerprint = inputsFingerprint();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return;
  const work = mkdtempSync(join(tmpdir(), 'jovo-dynamodb-jco-'));
  try {
    execFileSync(process.execPath, [
      jco, 'transpile', component, '-o', work, '--name', 'jovo_dynamodb',
      '--instantiation', 'async', '--no-typescript', '--minify', '--quiet',
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    // The bundles must run from require() and without a loader: no file lookups, no imports.
    // jco's only `import.meta` is its fallback for a missing getCoreModule (fetch the .wasm
    // next to the script), which we always pass; it goes, so that no bundler sees it.
    const code = readFileSync(join(work, 'jovo_dynamodb.js'), 'utf8').replace(
      /getCoreModule\|\|\(getCoreModule=(\w+)=>fetchCompile\(new URL\(`\.\/\$\{\1\}`,import\.meta\.url\)\)\);/,
      'if(!getCoreModule)throw new Error("jovo-dynamodb-wasm: instantiate needs getCoreModule");',
    ).replace(
      // That fallback's helper, which would import node:fs/promises: unused now.
      /async function fetchCompile\((\w+)\)\{return \w+\?\(.*?:fetch\(\1\)\.then\(WebAssembly\.compileStreaming\)\}/,
      'async function fetchCompile(){throw new Error("jovo-dynamodb-wasm: no core module fetching")}',
    ).replace(
      // jco logs each step of every call when JCO_DEBUG is set, reading process.env (a slow
      // getter in Node) and building the message objects on every call: measured 12 µs per
      // operation. JCO_DEBUG is read once, when the module loads, instead.
      /_debugLog=\(\.\.\.(\w+)\)=>\{[^{}]*JCO_DEBUG[^{}]*\}/,
      (_, args) => `_debugLog=globalThis.process?.env?.JCO_DEBUG?(...${args})=>console.debug(...${args}):()=>{}`,
    );
    if (!code.includes('_debugLog=globalThis.process?.env?.JCO_DEBUG?')) {
      fail("jco's _debugLog is not where the build expects it (a jco change?): update scripts/build.mjs");
    }
    if (code.includes('import.meta') || /^\s*import\s|import\(/m.test(code)) {
      fail('jco\'s output imports modules or uses import.meta (a jco change?); the inlined build cannot carry that');
    }
    const coreNames = readdirSync(work).filter((name) => name.endsWith('.wasm')).sort();
    const { CORE_MODULE_NAMES } = await import('../src/edge/core-modules.js');
    if (JSON.stringify(coreNames) !== JSON.stringify([...CORE_MODULE_NAMES].sort())) {
      fail(`jco wrote the core modules ${coreNames.join(', ')}; src/edge/core-modules.js names ${CORE_MODULE_NAMES.join(', ')}`);
    }
    rmSync(generatedDir, { recursive: true, force: true });
    mkdirSync(generatedDir, { recursive: true });
    const banner = `// Generated by scripts/build.mjs from ${component}; do not edit.\n`;
    writeFileSync(join(generatedDir, 'component.js'), banner + code);
    const modules = coreNames.map((name) => `  ${JSON.stringify(name)}:\n    '${readFileSync(join(work, name)).toString('base64')}',`);
    writeFileSync(
      join(generatedDir, 'core-wasm.js'),
      `${banner}export const CORE_MODULES_BASE64 = {\n${modules.join('\n')}\n};\n`,
    );
    for (const name of coreNames) copyFileSync(join(work, name), join(generatedDir, name));
    writeFileSync(stamp, fingerprint);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const GENERATED_ENTRY = "export { instantiate } from './generated/component.js';\nexport { CORE_MODULES_BASE64 } from './generated/core-wasm.js';\n";

async function bundle() {
  const esbuild = await import('esbuild');
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  const common = { bundle: true, logLevel: 'warning', legalComments: 'none', charset: 'utf8' };
  const plugin = { ...common, entryPoints: [join(packageDir, 'src', 'index.js')], platform: 'node', target: 'node20', external: ['@jovotech/framework'] };
  const edge = { ...common, entryPoints: [join(packageDir, 'src', 'edge', 'index.js')], platform: 'neutral', target: 'es2022' };
  // The CommonJS bundles share one copy of jco's glue and the base64 core modules,
  // dist/generated.cjs (required by a relative path, which bundlers follow); dist/edge.mjs
  // carries its own, since browsers and workerd cannot load CommonJS.
  const sharedGenerated = {
    name: 'shared-generated',
    setup(build) {
      build.onResolve({ filter: /\/generated\/(component|core-wasm)\.js$/ }, () => ({ path: './generated.cjs', external: true }));
    },
  };
  await Promise.all([
    esbuild.build({ ...common, stdin: { contents: GENERATED_ENTRY, resolveDir: join(packageDir, 'src'), sourcefile: 'generated.js' }, platform: 'neutral', target: 'es2022', format: 'cjs', outfile: join(distDir, 'generated.cjs') }),
    esbuild.build({ ...plugin, format: 'cjs', outfile: join(distDir, 'index.cjs'), plugins: [sharedGenerated] }),
    esbuild.build({ ...edge, format: 'esm', outfile: join(distDir, 'edge.mjs') }),
    esbuild.build({ ...edge, format: 'cjs', outfile: join(distDir, 'edge.cjs'), plugins: [sharedGenerated] }),
  ]);
  writeFileSync(
    join(distDir, 'index.mjs'),
    '// The plugin for import: the CommonJS build, so import and require share one copy.\n' +
      "import plugin from './index.cjs';\n\nexport const { DynamoDb, DynamoDbError, NumberValue } = plugin;\n",
  );
  // index.mjs must name every export of index.cjs (it once missed NumberValue).
  const { createRequire } = await import('node:module');
  const cjsExports = Object.keys(createRequire(import.meta.url)(join(distDir, 'index.cjs'))).filter((name) => name !== '__esModule').sort();
  const mjsExports = Object.keys(await import(pathToFileURL(join(distDir, 'index.mjs')).href)).sort();
  if (JSON.stringify(cjsExports) !== JSON.stringify(mjsExports)) {
    fail(`dist/index.mjs exports ${mjsExports.join(', ')} but dist/index.cjs ${cjsExports.join(', ')}: update the wrapper in scripts/build.mjs`);
  }
  for (const name of readdirSync(generatedDir).filter((file) => file.endsWith('.wasm'))) {
    copyFileSync(join(generatedDir, name), join(distDir, name));
  }
  // The same declarations serve import (.d.ts) and require (.d.cts): they only export. Their
  // relative imports ('./errors.js', '../json.js') point at the copies beside them.
  const declarations = [['src/edge/index.d.ts', 'edge']];
  for (const file of readdirSync(join(packageDir, 'src')).filter((name) => name.endsWith('.d.ts'))) {
    declarations.push([`src/${file}`, file.slice(0, -'.d.ts'.length)]);
  }
  for (const [source, target] of declarations) {
    const text = readFileSync(join(packageDir, source), 'utf8');
    for (const [extension, moduleExtension] of [['d.ts', 'js'], ['d.cts', 'cjs']]) {
      const rewritten = text.replace(/(['"])\.\.?\/(\w+)\.js\1/g, `'./$2.${moduleExtension}'`);
      writeFileSync(join(distDir, `${target}.${extension}`), rewritten);
    }
  }
}

if (!existsSync(component)) {
  fail(`the component ${component} is missing: build it first with ../scripts/build-component.sh (or pass its path)`);
}
await generate();
await bundle();
console.error(`built ${distDir} from ${component}`);
