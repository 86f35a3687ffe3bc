// ESLint for the TypeScript sources (typescript-eslint's recommended rules). Formatting is
// Prettier's (.prettierrc.json); no rule here is about layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config({ ignores: ["dist/**", "node_modules/**", "sdk/**", "tools/**", "tests/fixtures/**", "**/*.js", "**/*.mjs"] }, js.configs.recommended, ...tseslint.configs.recommended, {
  rules: {
    // A leading underscore marks a binding left unused on purpose: a key taken out of an object
    // by destructuring (`const { topology: _topology, ...rest }`), a parameter an interface
    // requires (`check(_olds, news)`).
    // The provider requires modules at run time on purpose: the stubs serialized into the state
    // load the runtime by name in the provider process, mysql2 is loaded there too, and tests
    // check what resolves by name. An import would be hoisted and serialized with the stub.
    "@typescript-eslint/no-require-imports": "off",
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true }],
  },
});
