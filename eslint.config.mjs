// Lint: TypeScript everywhere, Lit and web-component rules for the element, and the layer rules
// of ARCHITECTURE.md. Browser code (src/*.ts, src/controllers, src/wire, src/translations and any
// other element folder) imports no Node module and none of the Node folders; the two protocols
// import no Lit; src/ecommpay imports only what a protocol needs (node:crypto in its signature
// alone); the sandbox never imports the toolkit, the toolkit never the sandbox; the conformance
// kit (src/conformance) imports the protocols and the sandbox, never the toolkit.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import litA11y from 'eslint-plugin-lit-a11y';
import globals from 'globals';

/** The folders of Node code under src/. */
const NODE_FOLDERS = [
  'src/server/**',
  'src/sandbox/**',
  'src/cli/**',
  'src/conformance/**',
  'src/ecommpay/**',
  'src/shared/**',
];

const noNode = { group: ['node:*'], message: 'Browser code must not import Node modules.' };
const noNodeFolders = {
  group: [
    '**/server/**',
    '**/sandbox/**',
    '**/cli/**',
    '**/conformance/**',
    '**/ecommpay/**',
    '**/shared/**',
  ],
  message:
    'Browser code must not import the Node toolkit, the sandbox, the CLI, the conformance kit or the ECommPay side.',
};
const noLit = { group: ['lit', 'lit/*', '@lit/*'], message: 'Node code must not import Lit.' };
const noElement = {
  group: ['**/cup-qr-checkout*', '**/controllers/**', '**/qr-svg*', '**/translations/**'],
  message: 'Node code must not import the element.',
};
const noServer = {
  group: ['**/server/**', '**/server/*'],
  message: 'Only the toolkit, its entry and the CLI import src/server.',
};
const noSandbox = {
  group: ['**/sandbox/**'],
  message: 'Only the CLI and the conformance kit import the sandbox.',
};
const noConformance = {
  group: ['**/conformance/**'],
  message: 'Only the CLI imports the conformance kit.',
};
const noCli = { group: ['**/cli/**'], message: 'Nothing imports the CLI.' };
const only = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'custom-elements.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Browser code: the element, its modules, the wire protocol, the translations.
    files: ['src/**/*.ts'],
    ignores: NODE_FOLDERS,
    plugins: { lit, wc, 'lit-a11y': litA11y },
    rules: {
      ...lit.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      ...litA11y.configs.recommended.rules,
      'no-restricted-imports': only(noNode, noNodeFolders),
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The wire protocol: browser code that both sides import, so no Lit and no element either.
    files: ['src/wire/**/*.ts'],
    rules: { 'no-restricted-imports': only(noNode, noNodeFolders, noLit, noElement) },
  },
  {
    // The ECommPay protocol: the sandbox and the toolkit import it; it imports the wire
    // protocol at most, and Node only for the signature's HMAC (below).
    files: ['src/ecommpay/**/*.ts'],
    ignores: ['src/ecommpay/signature.ts'],
    rules: {
      'no-restricted-imports': only(noNode, noLit, noElement, noServer, noSandbox, noCli, {
        group: ['**/shared/**'],
        message: 'The ECommPay protocol needs none of the Node helpers.',
      }),
    },
  },
  {
    // sign() and checkSignature() are synchronous, and Web Crypto's HMAC is not: node:crypto.
    files: ['src/ecommpay/signature.ts'],
    rules: {
      'no-restricted-imports': only(noLit, noElement, noServer, noSandbox, noCli, {
        group: ['node:*', '!node:crypto'],
        message: 'The signature needs node:crypto only.',
      }),
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': only(noLit, noElement, noServer, noSandbox, noCli) },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-imports': only(noLit, noElement, noSandbox, noConformance) },
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: { 'no-restricted-imports': only(noLit, noElement, noServer, noCli, noConformance) },
  },
  {
    // The conformance kit judges any backend, the toolkit's too: it never imports src/server
    // (its payloads are made from the spec), only the protocols and the sandbox.
    files: ['src/conformance/**/*.ts'],
    rules: {
      'no-restricted-imports': only(
        noLit,
        noElement,
        {
          ...noServer,
          message: 'The conformance kit judges the toolkit: it never imports src/server.',
        },
        noCli,
      ),
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': only(noLit, noElement) },
  },
  {
    files: ['test/**/*.ts'],
    // Tests edit fixtures freely: loose JSON typing there is clearer than casts.
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
