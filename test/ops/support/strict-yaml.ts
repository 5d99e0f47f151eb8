import { isCollection, isScalar, parseAllDocuments, Scalar, visit } from 'yaml';

/**
 * YAML as kubectl reads it: YAML 1.2 in strict mode (duplicate keys, bad indentation, tabs and
 * every warning are errors), plus the one place where kubectl's YAML 1.1 parser (go-yaml, a
 * libyaml port) is stricter than 1.2: inside a flow collection (`{ … }`, `[ … ]`) an unquoted
 * scalar ends at `?`, `,`, `[`, `]`, `{`, `}` or a `:` not followed by a space, so a value such as
 * `{ path: /healthcheck?check=manager }` that YAML 1.2 accepts makes kubectl fail.
 */
export function parseManifests(text: string, file: string): unknown[] {
  const documents = parseAllDocuments(text, { strict: true, uniqueKeys: true, version: '1.2', prettyErrors: true });
  const problems: string[] = [];
  for (const document of documents) {
    problems.push(...[...document.errors, ...document.warnings].map((e) => e.message));
    visit(document, {
      Scalar(_key, node: Scalar, path) {
        const inFlow = path.some((ancestor) => isCollection(ancestor) && ancestor.flow);
        if (
          inFlow &&
          isScalar(node) &&
          node.type === 'PLAIN' &&
          typeof node.value === 'string' &&
          /[?,[\]{}]|:(?! )/.test(node.value)
        ) {
          problems.push(
            `unquoted "${node.value}" inside a flow collection: quote it (kubectl's YAML parser splits it)`,
          );
        }
      },
    });
  }
  if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
  return documents.map((document) => document.toJS()).filter((object) => object !== null);
}
