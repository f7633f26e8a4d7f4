// Lint: TypeScript everywhere, Lit and web-component rules for the element, and the layer rules
// of DESIGN.md: browser code never imports Node code, the server never imports Lit.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import litA11y from 'eslint-plugin-lit-a11y';
import globals from 'globals';

const nodeOnly = {
  patterns: [
    { group: ['node:*'], message: 'Browser code must not import Node modules.' },
    {
      group: ['**/server/**', '**/sandbox/**', '**/cli*'],
      message: 'Browser code must not import the Node toolkit.',
    },
  ],
};
const noLit = {
  patterns: [
    { group: ['lit', 'lit/*', '@lit/*'], message: 'Node code must not import Lit.' },
    {
      group: ['**/cup-qr-checkout*', '**/controllers/**', '**/qr-svg*'],
      message: 'Node code must not import the element.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'custom-elements.json',
      'examples/.pack/',
      'examples/**/.next/',
      'examples/**/next-env.d.ts',
    ],
  },
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
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/sandbox/**', 'src/cli.ts', 'src/cli/**'],
    plugins: { lit, wc, 'lit-a11y': litA11y },
    rules: {
      ...lit.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      ...litA11y.configs.recommended.rules,
      'no-restricted-imports': ['error', nodeOnly],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodeOnly.patterns, ...noLit.patterns] }],
    },
  },
  {
    files: ['src/server/**/*.ts', 'src/sandbox/**/*.ts', 'src/cli.ts', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', noLit] },
  },
  {
    // The README's server snippet, byte for byte: it signs the payload a page would print.
    files: ['examples/node-http/server.js'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
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
