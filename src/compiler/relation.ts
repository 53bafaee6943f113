/** A table or view as templates see it: `{{ ref('x') }}` renders `` `schema`.`name` ``. */
export class Relation {
  constructor(
    readonly schema: string,
    readonly identifier: string,
    readonly type: 'table' | 'view' | 'cte' | 'external' | null = null,
  ) {}

  get name(): string {
    return this.identifier;
  }

  get database(): null {
    return null;
  }

  /** dbt spells it `render()`; templates may call either. */
  render(): string {
    return this.toString();
  }

  include(options?: { schema?: boolean }): Relation | CteRelation {
    if (options?.schema === false) return new CteRelation(this.identifier);
    return this;
  }

  toString(): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(this.identifier)}`;
  }
}

/**
 * An ephemeral model, inlined as a CTE named `dbt__cte__<name>`: dbt's `__dbt__cte__` prefix is no
 * good on Hive, whose identifiers cannot start with `_`, and which drops the backquotes of a CTE
 * name when it stores a view's text (the view then fails to parse).
 */
export class CteRelation {
  readonly type = 'cte';
  constructor(readonly identifier: string) {}
  get name(): string {
    return this.identifier;
  }
  get schema(): null {
    return null;
  }
  render(): string {
    return this.toString();
  }
  toString(): string {
    return this.identifier;
  }
}

/** Hive quotes identifiers with backticks; a backtick inside is doubled. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function relationName(schema: string, identifier: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(identifier)}`;
}

export function ephemeralCteName(modelName: string): string {
  return `dbt__cte__${modelName}`;
}
